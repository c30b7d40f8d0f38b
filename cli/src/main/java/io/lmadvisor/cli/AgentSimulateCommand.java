package io.lmadvisor.cli;

import io.lmadvisor.agent.Agent;
import io.lmadvisor.agent.simulate.SimulatedSource;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code agent simulate}: a synthetic fleet, for demos and load. */
@Command(
        name = "simulate",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "Publish the samples of a synthetic fleet of VMs and hosts.")
final class AgentSimulateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    int vms;
    int hosts;

    @Option(names = "--vms", defaultValue = "12", description = "VMs, at least 1 (default: ${DEFAULT-VALUE}).")
    void vms(int n) {
        vms = FlagChecks.atLeast(spec, "--vms", 1, n, "");
    }

    @Option(names = "--hosts", defaultValue = "4", description = "Hosts, at least 1 (default: ${DEFAULT-VALUE}).")
    void hosts(int n) {
        hosts = FlagChecks.atLeast(spec, "--hosts", 1, n, "");
    }

    @Option(names = "--seed", defaultValue = "42", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Mixin
    AgentPublishOptions publish;

    @Override
    public Integer call() throws Exception {
        return new Agent(publish.settings(), System.out, System.err).run(new SimulatedSource(hosts, vms, seed));
    }
}
