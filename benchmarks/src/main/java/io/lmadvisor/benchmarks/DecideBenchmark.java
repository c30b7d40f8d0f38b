package io.lmadvisor.benchmarks;

import io.lmadvisor.avro.SlaObjective;
import io.lmadvisor.avro.SlaPolicy;
import io.lmadvisor.avro.VmProfile;
import io.lmadvisor.streams.model.ModelSource;
import io.lmadvisor.streams.recommend.Decision;
import io.lmadvisor.streams.recommend.HostState;
import io.lmadvisor.streams.recommend.RecommendationEngine;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One whole decision with the bundled model: 3 destinations, every algorithm, the SLA judged and the
 * risks derived; with {@code minimizeBandwidth} the 4-rung bandwidth ladder scores 4 × as often.
 * <pre>java -jar benchmarks/target/benchmarks.jar DecideBenchmark</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms1g", "-Xmx2g"})
@Threads(1)
public class DecideBenchmark {
    @Param({"false", "true"})
    public boolean minimizeBandwidth;

    private RecommendationEngine engine;
    private VmProfile[] profiles;
    private List<HostState> hosts;
    private SlaPolicy policy;
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        java.util.logging.LogManager.getLogManager().reset();
        engine = ModelSource.bundled(3).get();
        Instant end = Instant.parse("2026-11-30T10:00:20Z");
        SplittableRandom rnd = new SplittableRandom(7);
        profiles = new VmProfile[256];
        for (int i = 0; i < profiles.length; i++) {
            profiles[i] = VmProfile.newBuilder()
                    .setVmId("vm-" + i)
                    .setHostId("src")
                    .setWindowStart(end.minusSeconds(20))
                    .setWindowEnd(end)
                    .setSampleCount(20)
                    .setVmSizeMb(rnd.nextDouble(512, 8192))
                    .setPdrPagesPerSec(rnd.nextDouble(100, 40_000))
                    .setWssPages(rnd.nextDouble(1_000, 500_000))
                    .setCpuUtilPercent(rnd.nextDouble(5, 100))
                    .setLateSampleCount(0)
                    .build();
        }
        hosts = List.of(
                new HostState("src", 100, 4000, 125, 125, 0),
                new HostState("a", 300, 16000, 125, 125, 0),
                new HostState("b", 250, 14000, 60, 125, 0),
                new HostState("c", 200, 12000, 110, 125, 0));
        policy = SlaPolicy.newBuilder()
                .setMaxDowntimeMs(500L)
                .setMaxTotalTimeMs(120_000L)
                .setMaxPerformanceDegradation(0.5)
                .setMaxTransferredBytes(null)
                .setObjective(SlaObjective.MIN_TOTAL_TIME)
                .setMinimizeBandwidth(minimizeBandwidth)
                .build();
    }

    @Benchmark
    public Decision decide() {
        return engine.decide(profiles[next++ & 255], hosts, policy, Instant.EPOCH);
    }
}
