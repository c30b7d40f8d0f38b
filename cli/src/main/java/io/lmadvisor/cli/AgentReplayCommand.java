package io.lmadvisor.cli;

import io.lmadvisor.agent.Agent;
import io.lmadvisor.agent.PublishSettings;
import io.lmadvisor.agent.replay.ReplaySource;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code agent replay}: republishes a {@code --dry-run} file or a topic's time range with the original event times. */
@Command(
        name = "replay",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "Republish samples recorded by --dry-run, or a time range of a topic, with their event times.")
final class AgentReplayCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    /** Exactly one input: a file, or a topic with its range and cluster. */
    static final class Input {
        @Option(names = "--file", required = true, description = "JSON lines as printed by --dry-run.")
        Path file;

        @ArgGroup(exclusive = false)
        TopicRange topic;
    }

    static final class TopicRange {
        @Option(names = "--from-topic", required = true, description = "Read this topic instead of a file.")
        String name;

        @Option(
                names = "--from",
                converter = InstantConverter.class,
                description = "First record time (ISO-8601 or epoch ms; default: the beginning).")
        Instant from;

        @Option(
                names = "--to",
                converter = InstantConverter.class,
                description = "End time, exclusive (default: the end offsets at start).")
        Instant to;

        @Option(names = "--from-bootstrap-servers", description = "Cluster to read (default: --bootstrap-servers).")
        String bootstrapServers;

        @Option(
                names = "--from-schema-registry-url",
                description = "Registry of the cluster read (default: --schema-registry-url).")
        String schemaRegistryUrl;
    }

    @ArgGroup(exclusive = true, multiplicity = "1", heading = "Input (one of):%n")
    Input input;

    /** {@code max} or a positive number. */
    static final class SpeedConverter implements CommandLine.ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            try {
                return ReplaySource.parseSpeed(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    @Option(
            names = "--speed",
            defaultValue = "1",
            converter = SpeedConverter.class,
            description =
                    "1 = recorded pace, 10 = ten times faster, max = as fast as possible (default: ${DEFAULT-VALUE}).")
    double speed;

    @Option(
            names = "--shift-to-now",
            description = "Shift timestamps by a constant so they end at (or, at speed 1, start at) now.")
    boolean shiftToNow;

    @Mixin
    AgentPublishOptions publish;

    @Override
    public Integer call() throws Exception {
        PublishSettings settings = publish.settings();
        if (input.file != null) {
            return new Agent(settings, System.out, System.err)
                    .run(ReplaySource.fromFile(input.file, speed, shiftToNow));
        }
        TopicRange t = input.topic;
        String bootstrap = t.bootstrapServers != null ? t.bootstrapServers : settings.bootstrapServers();
        String registry = t.schemaRegistryUrl != null ? t.schemaRegistryUrl : settings.schemaRegistryUrl();
        if (bootstrap == null || registry == null) {
            throw new ParameterException(
                    spec.commandLine(),
                    "--from-topic needs --from-bootstrap-servers/--bootstrap-servers and a schema registry");
        }
        if (t.from != null && t.to != null && !t.from.isBefore(t.to)) {
            throw new ParameterException(spec.commandLine(), "--from must be before --to");
        }
        boolean sameCluster = !settings.dryRun() && sameServers(bootstrap, settings.bootstrapServers());
        if (sameCluster && (t.name.equals(settings.vmTopic()) || t.name.equals(settings.hostTopic()))) {
            throw new ParameterException(
                    spec.commandLine(),
                    "replay would publish into the topic it reads (" + t.name
                            + "), a feedback loop; publish to another topic (--vm-topic/--host-topic) or cluster (--bootstrap-servers)");
        }
        return new Agent(settings, System.out, System.err)
                .run(ReplaySource.fromTopic(bootstrap, registry, t.name, t.from, t.to, speed, shiftToNow));
    }

    /** Any shared host:port means the same cluster. */
    private static boolean sameServers(String a, String b) {
        if (a == null || b == null) {
            return false;
        }
        var left = Arrays.stream(a.split(","))
                .map(s -> s.trim().toLowerCase(Locale.ROOT))
                .toList();
        return Arrays.stream(b.split(","))
                .map(s -> s.trim().toLowerCase(Locale.ROOT))
                .anyMatch(left::contains);
    }
}
