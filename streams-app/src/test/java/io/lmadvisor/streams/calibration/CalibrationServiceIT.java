package io.lmadvisor.streams.calibration;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.lmadvisor.avro.ModelDecision;
import io.lmadvisor.avro.ModelEvent;
import io.lmadvisor.embedded.EmbeddedKafkaBroker;
import io.lmadvisor.embedded.WithEmbeddedKafka;
import io.lmadvisor.model.MigrationRecord;
import io.lmadvisor.model.artifact.ModelArtifact;
import io.lmadvisor.model.data.CsapWriter;
import io.lmadvisor.model.data.DatasetFormat;
import io.lmadvisor.registry.MockSchemaRegistry;
import io.lmadvisor.registry.SchemaRegistries;
import io.lmadvisor.registry.SchemaRegistry;
import io.lmadvisor.serde.AvroSerdes;
import io.lmadvisor.streams.model.ModelSource;
import io.lmadvisor.topics.TopicSpec;
import io.lmadvisor.topics.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** Training rows on a real broker → a challenger → a promotion and its ModelEvent on lm.model-events. */
@WithEmbeddedKafka(partitions = 2)
class CalibrationServiceIT {
    private static final String SCOPE = "calibration-service-it";

    @Test
    void trainingRowsLeadToAPromotionPublishedAsAModelEvent(EmbeddedKafkaBroker broker) throws Exception {
        for (TopicSpec spec : Topics.all()) {
            broker.createTopic(spec.name(), 2, spec.compacted());
        }
        SchemaRegistry registry = SchemaRegistries.fromConfig(Map.of("schema.registry.url", "mock://" + SCOPE));
        ModelArtifact prior = ModelArtifact.loadResource(ModelSource.BUNDLED_RESOURCE);
        List<MigrationRecord> fleet = ChampionChallengerTest.fleet(prior, 20, 5);
        Map<String, Object> clients = new HashMap<>();
        clients.put("bootstrap.servers", broker.bootstrapServers());
        try (ModelSource models = ModelSource.fixed(prior, 3);
                CalibrationService service = new CalibrationService(
                                clients,
                                Topics.TRAINING_ROWS,
                                Topics.MODEL_EVENTS,
                                models,
                                prior,
                                CalibrationSettings.DEFAULTS.withEnabled(true).withEveryRows(fleet.size()),
                                CalibrationService.defaultTrainer(),
                                AvroSerdes.of(ModelEvent.class, registry, false).serializer(),
                                line -> {})
                        .start();
                KafkaProducer<String, String> producer = new KafkaProducer<>(
                        Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()),
                        new StringSerializer(),
                        new StringSerializer());
                KafkaConsumer<String, byte[]> events = new KafkaConsumer<>(
                        Map.of(
                                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                                ConsumerConfig.GROUP_ID_CONFIG, "calibration-it-reader",
                                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                        new StringDeserializer(),
                        new ByteArrayDeserializer())) {
            producer.send(new ProducerRecord<>(Topics.TRAINING_ROWS, "vm-x", "not,a,csap,row"));
            for (MigrationRecord r : fleet) {
                producer.send(
                        new ProducerRecord<>(Topics.TRAINING_ROWS, r.id(), CsapWriter.row(r, DatasetFormat.CSAP)));
            }
            producer.flush();
            events.subscribe(List.of(Topics.MODEL_EVENTS));
            List<ModelEvent> got = new ArrayList<>();
            var deserializer = AvroSerdes.of(ModelEvent.class, registry, false).deserializer();
            await().atMost(Duration.ofSeconds(90)).until(() -> {
                for (ConsumerRecord<String, byte[]> r : events.poll(Duration.ofMillis(200))) {
                    got.add(deserializer.deserialize(r.topic(), r.value()));
                }
                return !got.isEmpty();
            });
            ModelEvent e = got.get(0);
            assertEquals(ModelDecision.PROMOTED, e.getDecision(), e.getReason().toString());
            assertEquals(prior.versionId(), e.getChampionVersion().toString());
            assertEquals(fleet.size(), e.getTrainingRows());
            assertFalse(e.getCells().isEmpty());
            assertEquals(e.getChallengerVersion().toString(), models.get().modelVersion());
            assertEquals(1, service.badRows());
        } finally {
            MockSchemaRegistry.drop(SCOPE);
        }
    }
}
