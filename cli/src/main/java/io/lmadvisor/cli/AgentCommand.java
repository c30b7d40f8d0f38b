package io.lmadvisor.cli;

import java.util.Locale;
import java.util.Map;
import java.util.Stack;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code lm-advisor agent SOURCE}: one subcommand per source, each with its own flags, all sharing
 * {@link AgentPublishOptions}. The wiring of a run lives in producer-agent's {@code Agent}.
 */
@Command(
        name = "agent",
        mixinStandardHelpOptions = true,
        description = {
            "Sample VMs and hosts every second and publish them to Kafka.",
            "Name a source: procfs (QEMU guests on this host, through /proc), qmp (QEMU monitor sockets), "
                    + "simulate (a synthetic fleet), replay (a --dry-run file or a topic's time range)."
        },
        subcommands = {
            AgentProcfsCommand.class,
            AgentQmpCommand.class,
            AgentSimulateCommand.class,
            AgentReplayCommand.class
        })
final class AgentCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    /**
     * The spelling before subcommands, {@code agent --source X [flags]}, which scripts may still have:
     * leaves X on the argument stack, where picocli takes it as the subcommand.
     */
    static final class OldSourceFlag implements CommandLine.IParameterPreprocessor {
        @Override
        public boolean preprocess(
                Stack<String> args, CommandSpec commandSpec, ArgSpec argSpec, Map<String, Object> info) {
            String source = args.isEmpty() ? "" : args.pop();
            String name = source.toLowerCase(Locale.ROOT);
            if (!commandSpec.subcommands().containsKey(name)) {
                throw new ParameterException(
                        commandSpec.commandLine(),
                        "--source must be one of "
                                + String.join(", ", commandSpec.subcommands().keySet()) + ": " + source);
            }
            commandSpec
                    .commandLine()
                    .getErr()
                    .println("lm-advisor agent: --source is the old spelling; use 'lm-advisor agent " + name + " ...'");
            args.push(name);
            return true;
        }
    }

    @Option(
            names = "--source",
            hidden = true,
            preprocessor = OldSourceFlag.class,
            description = "Old spelling of the subcommand: --source simulate is 'agent simulate'.")
    String source;

    @Override
    public Integer call() {
        throw new ParameterException(
                spec.commandLine(), "Missing source: use 'lm-advisor agent procfs|qmp|simulate|replay ...'");
    }
}
