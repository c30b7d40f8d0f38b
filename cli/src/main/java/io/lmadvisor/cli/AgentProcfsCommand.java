package io.lmadvisor.cli;

import io.lmadvisor.agent.Agent;
import io.lmadvisor.agent.PublishSettings;
import io.lmadvisor.agent.procfs.ProcfsSource;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code agent procfs}: QEMU guests on this host, sampled through /proc (page sampling of guest RAM). */
@Command(
        name = "procfs",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description =
                "Sample the QEMU guests on this host through /proc (page sampling of guest RAM) and the host itself.")
final class AgentProcfsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    AgentHostOptions host;

    @Option(
            names = "--pid",
            split = ",",
            description = "Sample these QEMU processes only (default: discover by command line).")
    List<Integer> pids;

    int sampledPages;

    @Option(
            names = "--sampled-pages",
            defaultValue = "1024",
            description =
                    "Guest pages read per VM per second, at least 1 (default: ${DEFAULT-VALUE}, ~0.3%% of a core).")
    void sampledPages(int pages) {
        sampledPages = FlagChecks.atLeast(spec, "--sampled-pages", 1, pages, "");
    }

    @Mixin
    AgentPublishOptions publish;

    @Override
    public Integer call() throws Exception {
        PublishSettings settings = publish.settings();
        ProcfsSource.Builder b = ProcfsSource.builder()
                .sampledPages(sampledPages)
                .defaultLinkSpeedMBps(host.linkSpeedMBps)
                .hostId(host.hostIdOrDefault());
        if (pids != null) {
            b.pids(pids);
        }
        if (host.ramMapping != null) {
            b.mappingPattern(host.ramMapping);
        }
        if (host.migrationInterface != null) {
            b.migrationInterface(host.migrationInterface);
        }
        ProcfsSource source = b.build();
        System.err.println("lm-advisor agent: procfs: " + source.capabilities().message());
        return new Agent(settings, System.out, System.err).run(source);
    }
}
