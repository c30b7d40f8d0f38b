package io.lmadvisor.cli;

import io.lmadvisor.agent.Agent;
import io.lmadvisor.agent.PublishSettings;
import io.lmadvisor.agent.host.HostSampler;
import io.lmadvisor.agent.qmp.QmpHostSource;
import io.lmadvisor.agent.qmp.QmpSource;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code agent qmp}: VMs through their QMP sockets (calc-dirty-rate, query-*), the host through /proc. */
@Command(
        name = "qmp",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description =
                "Sample VMs through QEMU's monitor (QMP) sockets, with page sampling of local guests, and the host through /proc.")
final class AgentQmpCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    /** At least one way to find sockets; both may be given. */
    static final class Sockets {
        @Option(names = "--qmp-socket", description = "A VM's QMP socket, PATH or PATH=vmId; repeatable.")
        List<String> paths;

        @Option(
                names = "--qmp-socket-glob",
                description = "Every socket matching this glob, rescanned (e.g. /run/qemu/*.qmp).")
        String glob;
    }

    @ArgGroup(exclusive = false, multiplicity = "1", heading = "Sockets (at least one):%n")
    Sockets sockets;

    @Option(
            names = "--qmp-sample-pages",
            defaultValue = "512",
            description = "calc-dirty-rate sample pages per GiB (default: ${DEFAULT-VALUE}).")
    int qmpSamplePages;

    int sampledPages;

    @Option(
            names = "--sampled-pages",
            defaultValue = "1024",
            description =
                    "Guest pages of a local QEMU read per VM per second; 0 = QMP only (default: ${DEFAULT-VALUE}).")
    void sampledPages(int pages) {
        sampledPages = FlagChecks.atLeast(spec, "--sampled-pages", 0, pages, "0 = QMP only");
    }

    @Mixin
    AgentHostOptions host;

    @Mixin
    AgentPublishOptions publish;

    @Override
    public Integer call() throws Exception {
        PublishSettings settings = publish.settings();
        String hostId = host.hostIdOrDefault();
        QmpSource.Builder b = QmpSource.builder()
                .hostId(hostId)
                .samplePages(qmpSamplePages)
                .agentVersion("qmp/0.1")
                .hostSampledPages(sampledPages)
                .mappingPattern(host.ramMapping);
        if (sockets.paths != null) {
            sockets.paths.forEach(b::socketOption);
        }
        if (sockets.glob != null) {
            b.socketGlob(sockets.glob);
        }
        HostSampler hostSampler =
                new HostSampler(Path.of("/proc"), Path.of("/sys"), hostId, host.migrationInterface, host.linkSpeedMBps);
        return new Agent(settings, System.out, System.err).run(new QmpHostSource(hostSampler, b.build()));
    }
}
