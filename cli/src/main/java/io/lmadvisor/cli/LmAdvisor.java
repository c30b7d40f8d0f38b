package io.lmadvisor.cli;

import io.lmadvisor.config.LayeredConfig;
import io.lmadvisor.executor.ExecutorConfig;
import io.lmadvisor.streams.AdvisorConfig;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The single {@code lm-advisor} command; each role of the product is a subcommand. */
@Command(
        name = "lm-advisor",
        mixinStandardHelpOptions = true,
        version = "lm-advisor 0.1.0",
        description = "Live-migration advisor for QEMU/KVM fleets, on Kafka Streams.",
        subcommands = {
            DemoCommand.class,
            BrokerCommand.class,
            StreamsCommand.class,
            AgentCommand.class,
            ExecutorCommand.class,
            TopicsCommand.class,
            ModelCommand.class,
            SimulateCommand.class,
            BacktestCommand.class,
            LabCommand.class,
        })
public final class LmAdvisor implements Runnable {
    @Option(
            names = "--verbose",
            scope = CommandLine.ScopeType.INHERIT,
            description = "Show Kafka, RocksDB and Tribuo logs.")
    void setVerbose(boolean on) {
        verbose = on;
        Logging.configure(on);
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    private static boolean verbose;

    /** Every command's own lm.* keys: an LM_ variable for one command is not a Kafka setting for another. */
    static final List<String> LM_KEYS = Stream.concat(AdvisorConfig.KEYS.stream(), ExecutorConfig.KEYS.stream())
            .toList();

    /** The environment as {@code command} reads it (see {@link LayeredConfig#forCommand}). */
    static Map<String, String> env(List<String> ownKeys) {
        return LayeredConfig.forCommand(System.getenv(), ownKeys, LM_KEYS);
    }

    static boolean verbose() {
        return verbose;
    }

    /** The configured command line; errors become one short line (see {@link CliErrors}). */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new LmAdvisor())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setParameterExceptionHandler(CliErrors::onParameterError)
                .setExecutionExceptionHandler(CliErrors::onExecutionError);
        CommandLine.IExecutionStrategy run = new CommandLine.RunLast();
        return cli.setExecutionStrategy(parsed -> {
            Integer refused = CliErrors.precheck(parsed, cli.getErr());
            return refused != null ? refused : run.execute(parsed);
        });
    }

    public static void main(String[] args) {
        Logging.configure(false);
        System.exit(commandLine().execute(args));
    }
}
