package io.lmadvisor.cli;

import io.lmadvisor.agent.SampleSource;
import io.lmadvisor.agent.simulate.SimulatedSource;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The agent's sources by {@code --source} name. A new source is plugged in with one line in the
 * static block and its name in {@link #KNOWN}.
 */
final class AgentSources {
    /** Builds a source from the parsed {@code agent} options. */
    interface Factory {
        SampleSource create(AgentCommand options);
    }

    static final List<String> KNOWN = List.of("procfs", "qmp", "simulate", "replay");

    private static final Map<String, Factory> BUILT = new LinkedHashMap<>();

    static {
        BUILT.put("simulate", o -> new SimulatedSource(o.hosts, o.vms, o.seed));
        BUILT.put("replay", AgentCommand::replaySource);
        BUILT.put("procfs", AgentCommand::procfsSource);
        BUILT.put("qmp", AgentCommand::qmpSource);
    }

    private AgentSources() {
    }

    /** The factory of a known source. */
    static Factory factory(String name) {
        if (!KNOWN.contains(name)) {
            throw new IllegalArgumentException("--source must be one of " + String.join(", ", KNOWN) + ": " + name);
        }
        return BUILT.get(name);
    }
}
