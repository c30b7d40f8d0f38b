package io.lmadvisor.streams.profile;

import io.lmadvisor.avro.VmProfile;
import io.lmadvisor.avro.VmSample;
import io.lmadvisor.registry.MockSchemaRegistry;
import io.lmadvisor.registry.SchemaRegistries;
import io.lmadvisor.registry.SchemaRegistry;
import io.lmadvisor.serde.AvroSerde;
import io.lmadvisor.serde.AvroSerdes;
import io.lmadvisor.topics.Topics;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProfileTopologyTest {
    private static final String SCOPE = "profile-topology-test";
    private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");

    private TopologyTestDriver driver;
    private TestInputTopic<String, VmSample> samples;
    private TestOutputTopic<String, VmProfile> profiles;

    @BeforeEach
    void setUp() {
        SchemaRegistry registry = SchemaRegistries.fromConfig(Map.of("schema.registry.url", "mock://" + SCOPE));
        AvroSerde<VmSample> sampleSerde = AvroSerdes.of(VmSample.class, registry, false);
        AvroSerde<VmProfile> profileSerde = AvroSerdes.of(VmProfile.class, registry, false);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "profile-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        driver = new TopologyTestDriver(ProfileTopology.buildTopology(Duration.ofSeconds(20), Duration.ofSeconds(5),
                sampleSerde, profileSerde), props);
        samples = driver.createInputTopic(Topics.VM_SAMPLES, new StringSerializer(), sampleSerde.serializer());
        profiles = driver.createOutputTopic(Topics.VM_PROFILES, new StringDeserializer(), profileSerde.deserializer());
    }

    @AfterEach
    void tearDown() {
        driver.close();
        MockSchemaRegistry.drop(SCOPE);
    }

    private static VmSample sample(String vm, int second, double pdr, Long wss, Double wse, double cpu, double sizeMb) {
        return VmSample.newBuilder().setVmId(vm).setHostId("h1").setTimestamp(T0.plusSeconds(second))
                .setMemorySizeMb(2048).setVmSizeMb(sizeMb).setDirtiedPagesPerSec(pdr).setWorkingSetPages(wss)
                .setChangedPageEntropy(wse).setCpuUtilPercent(cpu).build();
    }

    @Test
    void oneFinalProfileWithHandComputedFeatures() {
        samples.pipeInput("vm-1", sample("vm-1", 0, 100, 1000L, 0.5, 10, 1000), T0);
        samples.pipeInput("vm-1", sample("vm-1", 1, 200, 3000L, null, 30, 1010), T0.plusSeconds(1));
        samples.pipeInput("vm-1", sample("vm-1", 19, 600, 2000L, 0.9, 50, 1020), T0.plusSeconds(19));
        assertTrue(profiles.isEmpty(), "nothing before the window closes");
        // Stream time reaches window end + grace: the window closes.
        samples.pipeInput("vm-1", sample("vm-1", 25, 1, 1L, null, 1, 1), T0.plusSeconds(25));

        List<VmProfile> out = profiles.readValuesToList();
        assertEquals(1, out.size(), "exactly one final profile");
        VmProfile p = out.get(0);
        assertEquals(T0, p.getWindowStart());
        assertEquals(T0.plusSeconds(20), p.getWindowEnd());
        assertEquals(3, p.getSampleCount());
        assertEquals(300.0, p.getPdrPagesPerSec(), 1e-9);       // (100+200+600)/3
        assertEquals(3000.0, p.getWssPages(), 1e-9);            // largest 20 s working set seen
        assertEquals(0.7, p.getWse(), 1e-9);                    // mean of the samples that carried it
        assertEquals(30.0, p.getCpuUtilPercent(), 1e-9);        // (10+30+50)/3
        assertEquals(1020.0, p.getVmSizeMb(), 1e-9);            // latest size
        assertNull(p.getNwse(), "no sample carried NWSE");
        assertNull(p.getIpsPerSec(), "IPS absent, not zero");
    }

    @Test
    void vmsAreProfiledSeparately() {
        samples.pipeInput("a", sample("a", 0, 10, 5L, null, 1, 100), T0);
        samples.pipeInput("b", sample("b", 1, 20, 7L, null, 2, 200), T0.plusSeconds(1));
        samples.pipeInput("a", sample("a", 30, 1, 1L, null, 1, 100), T0.plusSeconds(30));
        Map<String, VmProfile> byVm = profiles.readKeyValuesToMap();
        assertEquals(2, byVm.size());
        assertEquals(10.0, byVm.get("a").getPdrPagesPerSec(), 1e-9);
        assertEquals(20.0, byVm.get("b").getPdrPagesPerSec(), 1e-9);
    }
}
