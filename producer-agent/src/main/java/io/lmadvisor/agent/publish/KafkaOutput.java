package io.lmadvisor.agent.publish;

import io.lmadvisor.agent.metrics.AgentCounters;
import io.lmadvisor.agent.metrics.DropLog;
import io.lmadvisor.agent.spool.DiskSpool;
import io.lmadvisor.agent.spool.SpoolRecord;
import io.lmadvisor.avro.HostSample;
import io.lmadvisor.avro.VmSample;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Serializes each sample once, to its Confluent wire-format bytes, keyed by vmId or hostId, and
 * hands a tick's records to the {@link KafkaPublisher} as one batch. With serializers over
 * {@link SchemaIds#placeholders()} this never waits for the schema registry: the publisher puts
 * the real schema ids in. A sample that cannot be serialized (e.g. a required field missing) is
 * dropped and counted.
 */
public final class KafkaOutput implements SampleOutput {
    private final Serializer<VmSample> vmSerializer;
    private final Serializer<HostSample> hostSerializer;
    private final String vmTopic;
    private final String hostTopic;
    private final KafkaPublisher publisher;
    private final DiskSpool spool;
    private final DropLog dropLog;
    private final Duration closeTimeout;
    private final List<SpoolRecord> tick = new ArrayList<>();

    /** Takes ownership of the publisher and the spool: {@link #close} closes both. */
    public KafkaOutput(
            Serializer<VmSample> vmSerializer,
            Serializer<HostSample> hostSerializer,
            String vmTopic,
            String hostTopic,
            KafkaPublisher publisher,
            DiskSpool spool,
            AgentCounters counters,
            Duration closeTimeout) {
        this.vmSerializer = vmSerializer;
        this.hostSerializer = hostSerializer;
        this.vmTopic = vmTopic;
        this.hostTopic = hostTopic;
        this.publisher = publisher;
        this.spool = spool;
        this.dropLog = new DropLog(counters);
        this.closeTimeout = closeTimeout;
    }

    @Override
    public void vm(VmSample sample) {
        add(vmTopic, sample.getVmId(), sample.getTimestamp().toEpochMilli(), vmSerializer, sample);
    }

    @Override
    public void host(HostSample sample) {
        add(hostTopic, sample.getHostId(), sample.getTimestamp().toEpochMilli(), hostSerializer, sample);
    }

    private <T> void add(String topic, String key, long timestampMs, Serializer<T> serializer, T sample) {
        byte[] value;
        try {
            value = serializer.serialize(topic, sample);
        } catch (RuntimeException e) {
            dropLog.drop(1, "cannot serialize a sample for " + topic + " (" + e.getMessage() + ")");
            return;
        }
        tick.add(SpoolRecord.of(topic, key, value, timestampMs));
    }

    @Override
    public void endTick() {
        if (tick.isEmpty()) {
            return;
        }
        publisher.submit(List.copyOf(tick));
        tick.clear();
        if (publisher.spooling()) {
            publisher.sync(); // a spooled tick is on disk before the next one is taken
        }
    }

    @Override
    public void close() {
        try {
            endTick();
            publisher.close(closeTimeout);
        } finally {
            spool.close();
            vmSerializer.close();
            hostSerializer.close();
        }
    }
}
