package io.lmadvisor.streams.deadletter;

import io.lmadvisor.avro.DeadLetter;
import io.lmadvisor.config.ClientSettings;
import io.lmadvisor.registry.SchemaRegistries;
import io.lmadvisor.serde.AvroSerdes;
import io.lmadvisor.topics.Topics;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** An idempotent producer of dead letters; the client settings (security included) are the app's own. */
public final class KafkaDeadLetterPublisher implements DeadLetterPublisher {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaDeadLetterPublisher.class);
    private final KafkaProducer<byte[], byte[]> producer;
    private final Serializer<DeadLetter> serializer;
    private final String topic;

    public KafkaDeadLetterPublisher(Properties streamsProperties) {
        topic = streamsProperties.getProperty(DeadLetters.DEAD_LETTER_TOPIC_CONFIG, Topics.DEAD_LETTERS);
        Map<String, Object> config = ClientSettings.kafkaConnection(streamsProperties);
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(
                AdminClientConfig.CLIENT_ID_CONFIG,
                streamsProperties.getProperty(StreamsConfig.APPLICATION_ID_CONFIG, "lm-advisor") + "-dead-letters");
        producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
        serializer = AvroSerdes.of(
                        DeadLetter.class,
                        SchemaRegistries.fromConfig(ClientSettings.registry(streamsProperties)),
                        false)
                .serializer();
    }

    @Override
    public void publish(DeadLetter letter) {
        byte[] key = letter.getKey() == null ? null : bytes(letter.getKey());
        producer.send(
                new ProducerRecord<>(
                        topic, null, letter.getTimestamp().toEpochMilli(), key, serializer.serialize(topic, letter)),
                (md, e) -> {
                    if (e != null) {
                        LOG.error(
                                "cannot write dead letter for {}-{}@{}: {}",
                                letter.getSourceTopic(),
                                letter.getPartition(),
                                letter.getOffset(),
                                e.toString());
                    }
                });
    }

    private static byte[] bytes(ByteBuffer b) {
        ByteBuffer d = b.duplicate();
        byte[] out = new byte[d.remaining()];
        d.get(out);
        return out;
    }

    @Override
    public void close() {
        producer.close();
    }
}
