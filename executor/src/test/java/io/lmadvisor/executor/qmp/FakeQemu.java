package io.lmadvisor.executor.qmp;

import static io.lmadvisor.qmp.FakeQmpServer.JSON;
import static io.lmadvisor.qmp.FakeQmpServer.error;
import static io.lmadvisor.qmp.FakeQmpServer.ok;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lmadvisor.qmp.FakeQmpServer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A scripted QEMU 10 for one side of a migration, behind a {@link FakeQmpServer}: it keeps its
 * capabilities and parameters, and a migration goes active for {@link #activePolls} polls of
 * {@code query-migrate}, then completes (or never, with -1; {@code migrate_cancel} cancels it).
 */
final class FakeQemu implements AutoCloseable {
    /** Mutating commands: the ones a test asserts the order of. */
    static final Set<String> MUTATING = Set.of(
            "migrate-set-capabilities",
            "migrate-set-parameters",
            "migrate-incoming",
            "migrate",
            "migrate-start-postcopy",
            "migrate_cancel");

    final Map<String, Boolean> caps = new LinkedHashMap<>();
    final ObjectNode params = JSON.createObjectNode();
    final FakeQmpServer server;
    volatile String runState;
    volatile int activePolls = 3;
    /** QEMU's {@code downtime} once completed (post-copy: over half of 1234 ms is its sentinel). */
    volatile long completedDowntimeMs = 17;

    volatile long baseMemoryBytes = 512L << 20;
    private String status = "none";
    private int polls;

    FakeQemu(Path socket, String runState) throws IOException {
        this.runState = runState;
        for (String c : List.of(
                "xbzrle",
                "rdma-pin-all",
                "auto-converge",
                "zero-blocks",
                "events",
                "postcopy-ram",
                "x-colo",
                "release-ram",
                "return-path",
                "pause-before-switchover",
                "multifd",
                "dirty-bitmaps",
                "postcopy-blocktime",
                "late-block-activate",
                "x-ignore-shared",
                "validate-uuid",
                "background-snapshot",
                "zero-copy-send",
                "postcopy-preempt",
                "switchover-ack",
                "dirty-limit",
                "mapped-ram")) {
            caps.put(c, false);
        }
        params.put("downtime-limit", 300)
                .put("max-bandwidth", 134217728)
                .put("xbzrle-cache-size", 67108864)
                .put("multifd-channels", 2)
                .put("multifd-compression", "none")
                .put("cpu-throttle-initial", 20)
                .put("cpu-throttle-increment", 10)
                .put("multifd-zstd-level", 1)
                .put("max-postcopy-bandwidth", 0);
        server = new FakeQmpServer(socket, FakeQmpServer.GREETING_10_0_2, this::answer);
    }

    /** Mutating commands received, each as "command args". */
    List<String> mutations() {
        List<String> out = new ArrayList<>();
        for (JsonNode m : server.received) {
            String cmd = m.path("execute").asText();
            if (MUTATING.contains(cmd)) {
                out.add(m.has("arguments") ? cmd + " " + m.get("arguments") : cmd);
            }
        }
        return out;
    }

    List<String> mutatingCommands() {
        return server.commands().stream().filter(MUTATING::contains).toList();
    }

    private synchronized List<String> answer(String command, JsonNode m) {
        JsonNode args = m.path("arguments");
        switch (command) {
            case "qmp_capabilities":
                return List.of(ok(m, "{}"));
            case "query-version":
                return List.of(ok(m, "{\"qemu\": {\"major\": 10, \"minor\": 0, \"micro\": 2}, \"package\": \"\"}"));
            case "query-migrate-capabilities": {
                ArrayNode a = JSON.createArrayNode();
                caps.forEach((k, v) -> a.addObject().put("capability", k).put("state", v));
                return List.of(ok(m, a.toString()));
            }
            case "migrate-set-capabilities":
                for (JsonNode c : args.path("capabilities")) {
                    String name = c.path("capability").asText();
                    if (!caps.containsKey(name)) {
                        return List.of(error(m, "GenericError", "Invalid parameter '" + name + "'"));
                    }
                    caps.put(name, c.path("state").asBoolean());
                }
                return List.of(ok(m, "{}"));
            case "query-migrate-parameters":
                return List.of(ok(m, params.toString()));
            case "migrate-set-parameters":
                args.properties().forEach(f -> params.set(f.getKey(), f.getValue()));
                return List.of(ok(m, "{}"));
            case "query-status":
                return List.of(
                        ok(m, "{\"status\": \"" + runState + "\", \"running\": " + runState.equals("running") + "}"));
            case "query-memory-size-summary":
                return List.of(ok(m, "{\"base-memory\": " + baseMemoryBytes + "}"));
            case "query-cpus-fast":
                return List.of(ok(m, "[]"));
            case "migrate-incoming":
                return List.of(ok(m, "{}"));
            case "migrate":
                status = "active";
                polls = 0;
                return List.of(ok(m, "{}"));
            case "migrate-start-postcopy":
                if (!caps.get("postcopy-ram")) {
                    return List.of(error(
                            m,
                            "GenericError",
                            "Enable postcopy with migrate_set_capability before" + " the start of migration"));
                }
                // The switch shows only as an event: the next poll already finds the migration completed.
                status = "postcopy-active";
                return caps.get("events")
                        ? List.of(
                                ok(m, "{}"),
                                "{\"timestamp\": {\"seconds\": " + System.currentTimeMillis() / 1000
                                        + ", \"microseconds\": 0}, \"event\": \"MIGRATION\", \"data\": {\"status\":"
                                        + " \"postcopy-active\"}}")
                        : List.of(ok(m, "{}"));
            case "migrate_cancel":
                status = "cancelled";
                return List.of(ok(m, "{}"));
            case "query-migrate":
                return List.of(ok(m, migrateInfo()));
            default:
                return List.of(error(m, "CommandNotFound", "The command " + command + " has not been found"));
        }
    }

    private String migrateInfo() {
        if (status.equals("none")) {
            return "{}";
        }
        if (status.equals("active") || status.equals("postcopy-active")) {
            polls++;
            if (status.equals("postcopy-active") || (activePolls >= 0 && polls > activePolls)) {
                status = "completed";
            }
        }
        ObjectNode info = JSON.createObjectNode().put("status", status).put("setup-time", 3);
        info.putObject("ram").put("transferred", 1_000_000L * polls).put("dirty-sync-count", polls);
        if (caps.get("auto-converge") && polls > 1) {
            info.put("cpu-throttle-percentage", 20 + 10 * (polls - 2));
        }
        if (status.equals("completed")) {
            info.put("total-time", 1234).put("downtime", completedDowntimeMs);
        }
        return info.toString();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
