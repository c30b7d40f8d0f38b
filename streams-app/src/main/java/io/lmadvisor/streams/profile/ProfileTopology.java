package io.lmadvisor.streams.profile;

import io.lmadvisor.avro.VmProfile;
import io.lmadvisor.avro.VmSample;
import io.lmadvisor.topics.Topics;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Suppressed;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.state.WindowStore;

import java.time.Duration;
import java.time.Instant;

/** VM samples → one final {@link VmProfile} per VM and tumbling window. */
public final class ProfileTopology {
    public static final Duration DEFAULT_WINDOW = Duration.ofSeconds(20);
    public static final Duration DEFAULT_GRACE = Duration.ofSeconds(5);
    public static final String PROFILE_STORE = "vm-profile-windows";


    private ProfileTopology() {
    }

    public static Topology buildTopology(Duration windowSize, Duration grace,
                                         Serde<VmSample> sampleSerde, Serde<VmProfile> profileSerde) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(Topics.VM_SAMPLES, Consumed.with(Serdes.String(), sampleSerde)
                        .withTimestampExtractor(new VmSampleTimestampExtractor()))
                .groupByKey(Grouped.with(Serdes.String(), sampleSerde))
                .windowedBy(TimeWindows.ofSizeAndGrace(windowSize, grace))
                .aggregate(ProfileAccumulator::new, new VmSampleAggregator(),
                        Materialized.<String, ProfileAccumulator, WindowStore<Bytes, byte[]>>as(PROFILE_STORE)
                                .withKeySerde(Serdes.String())
                                .withValueSerde(new ProfileAccumulatorSerde()))
                .suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded()).withName("final-window-profiles"))
                .toStream()
                .map((window, acc) -> org.apache.kafka.streams.KeyValue.pair(window.key(), toProfile(window, acc)))
                .to(Topics.VM_PROFILES, Produced.with(Serdes.String(), profileSerde));
        return builder.build();
    }

    /** Means over the window, per the CSAP definitions. */
    static VmProfile toProfile(Windowed<String> window, ProfileAccumulator acc) {
        int n = acc.sampleCount;
        double pdrPagesPerSec = acc.sumDirtiedPagesPerSec / n;
        double wssPages = acc.maxWorkingSetPages;
        if (Double.isNaN(wssPages)) {
            // No agent-side working set: bound it by what the window could dirty, capped at the VM size.
            wssPages = Math.min(acc.sumDirtiedPagesPerSec, io.lmadvisor.model.features.Pages.fromMb(acc.lastVmSizeMb));
        }
        return VmProfile.newBuilder()
                .setVmId(window.key())
                .setHostId(acc.hostId)
                .setWindowStart(Instant.ofEpochMilli(window.window().start()))
                .setWindowEnd(Instant.ofEpochMilli(window.window().end()))
                .setSampleCount(n)
                .setVmSizeMb(acc.lastVmSizeMb)
                .setPdrPagesPerSec(pdrPagesPerSec)
                .setWssPages(wssPages)
                .setWse(acc.changedPageEntropy.mean())
                .setNwse(acc.unchangedPageEntropy.mean())
                .setMwppBytes(acc.modifiedBytesPerPage.mean())
                .setIpsPerSec(acc.instructionsPerSec.mean())
                .setCpuUtilPercent(acc.sumCpuUtilPercent / n)
                .setNetUtilMBps(acc.netUtilMBps.mean())
                .setSrcCpuAvailPercent(null)
                .setSrcMemAvailMb(null)
                .setLateSampleCount(0)
                .build();
    }
}
