package io.lmadvisor.executor.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lmadvisor.avro.MigrationAlgorithm;
import io.lmadvisor.avro.MigrationSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The QMP commands that carry out one recommendation's {@link MigrationSettings}, in order:
 * destination first (capabilities and parameters QEMU needs on both sides, then
 * {@code migrate-incoming}), then the source ({@code migrate-set-capabilities},
 * {@code migrate-set-parameters}, {@code migrate}), then the post-copy switch. Pure: it talks to no
 * QEMU, so {@code --dry-run} prints exactly what a run would send.
 */
public final class MigrationPlan {
    static final ObjectMapper JSON = new ObjectMapper();

    /** Capabilities QEMU requires on the destination too (post-copy and multifd negotiate them). */
    static final Set<String> BOTH_SIDES_CAPABILITIES =
            Set.of("postcopy-ram", "postcopy-preempt", "multifd", "mapped-ram");
    /** Parameters the destination must have before {@code migrate-incoming} (multifd channels and codec). */
    static final Set<String> BOTH_SIDES_PARAMETERS =
            Set.of("multifd-channels", "multifd-compression", "multifd-zlib-level", "multifd-zstd-level");
    /** The capabilities that select an algorithm: one left on from an earlier run would change this one. */
    static final List<String> ALGORITHM_CAPABILITIES =
            List.of("auto-converge", "xbzrle", "compress", "multifd", "postcopy-ram");

    private static final Pattern INTEGER = Pattern.compile("-?\\d+");

    public enum Side {
        SOURCE,
        DESTINATION
    }

    /** One command; {@code afterMs} is set for the post-copy switch, timed from {@code migrate}. */
    public record Step(Side side, String execute, ObjectNode arguments, Long afterMs) {}

    private final String vmId;
    private final MigrationAlgorithm algorithm;
    private final InventoryEntry entry;
    private final Map<String, Boolean> sourceCapabilities;
    private final ObjectNode sourceParameters;
    private final Map<String, Boolean> destinationCapabilities = new LinkedHashMap<>();
    private final ObjectNode destinationParameters = JSON.createObjectNode();
    private final Long startPostcopyAfterMs;
    private final long completionTimeoutPerGiBs;

    public MigrationPlan(String vmId, MigrationAlgorithm algorithm, MigrationSettings settings, InventoryEntry entry) {
        this.vmId = vmId;
        this.algorithm = algorithm;
        this.entry = entry;
        sourceCapabilities = new LinkedHashMap<>(settings.getQemuCapabilities());
        sourceParameters = typed(settings.getQemuParameters());
        sourceCapabilities.forEach((k, v) -> {
            if (BOTH_SIDES_CAPABILITIES.contains(k)) {
                destinationCapabilities.put(k, v);
            }
        });
        sourceParameters.properties().forEach(f -> {
            if (BOTH_SIDES_PARAMETERS.contains(f.getKey())) {
                destinationParameters.set(f.getKey(), f.getValue());
            }
        });
        startPostcopyAfterMs = settings.getStartPostcopyAfterMs();
        completionTimeoutPerGiBs = settings.getCompletionTimeoutPerGiB();
    }

    /** QMP wants numbers and booleans typed; the recommendation carries them as text. */
    static ObjectNode typed(Map<String, String> parameters) {
        ObjectNode out = JSON.createObjectNode();
        parameters.forEach((k, v) -> {
            String t = v.trim();
            if (INTEGER.matcher(t).matches()) {
                out.put(k, Long.parseLong(t));
            } else if (t.equals("true") || t.equals("false")) {
                out.put(k, Boolean.parseBoolean(t));
            } else {
                out.put(k, t);
            }
        });
        return out;
    }

    static ObjectNode capabilitiesArgument(Map<String, Boolean> caps) {
        ObjectNode args = JSON.createObjectNode();
        ArrayNode list = args.putArray("capabilities");
        caps.forEach((k, v) -> list.addObject().put("capability", k).put("state", v));
        return args;
    }

    /** Every command in the order a run sends them (capabilities left on from earlier runs aside). */
    public List<Step> steps() {
        List<Step> out = new ArrayList<>();
        if (!destinationCapabilities.isEmpty()) {
            out.add(new Step(
                    Side.DESTINATION, "migrate-set-capabilities", capabilitiesArgument(destinationCapabilities), null));
        }
        if (!destinationParameters.isEmpty()) {
            out.add(new Step(Side.DESTINATION, "migrate-set-parameters", destinationParameters.deepCopy(), null));
        }
        out.add(new Step(Side.DESTINATION, "migrate-incoming", uri(entry.incomingUri()), null));
        if (!sourceCapabilities.isEmpty()) {
            out.add(new Step(Side.SOURCE, "migrate-set-capabilities", capabilitiesArgument(sourceCapabilities), null));
        }
        if (!sourceParameters.isEmpty()) {
            out.add(new Step(Side.SOURCE, "migrate-set-parameters", sourceParameters.deepCopy(), null));
        }
        out.add(new Step(Side.SOURCE, "migrate", uri(entry.migrationUri()), null));
        if (startPostcopyAfterMs != null) {
            out.add(new Step(Side.SOURCE, "migrate-start-postcopy", null, Math.max(0, startPostcopyAfterMs)));
        }
        return out;
    }

    /**
     * The plan as JSON lines, one per command, each naming the VM and the QMP socket it goes to;
     * the last line says when the run would cancel.
     */
    public List<String> jsonLines() {
        List<String> lines = new ArrayList<>();
        for (Step s : steps()) {
            ObjectNode line = JSON.createObjectNode();
            line.put("vmId", vmId);
            line.put("qmp", socket(s.side()).toString());
            line.put("execute", s.execute());
            if (s.arguments() != null) {
                line.set("arguments", s.arguments());
            }
            if (s.afterMs() != null) {
                line.put("afterMs", s.afterMs());
            }
            lines.add(line.toString());
        }
        ObjectNode cancel = JSON.createObjectNode();
        cancel.put("vmId", vmId);
        cancel.put("qmp", entry.sourceQmp().toString());
        cancel.put("execute", "migrate_cancel");
        cancel.put("ifNotCompletedAfterSecondsPerGiB", completionTimeoutPerGiBs);
        lines.add(cancel.toString());
        return lines;
    }

    Path socket(Side side) {
        return side == Side.SOURCE ? entry.sourceQmp() : entry.destinationQmp();
    }

    private static ObjectNode uri(String uri) {
        return JSON.createObjectNode().put("uri", uri);
    }

    public String vmId() {
        return vmId;
    }

    public MigrationAlgorithm algorithm() {
        return algorithm;
    }

    public InventoryEntry entry() {
        return entry;
    }

    /** Capabilities as the recommendation gives them (source side). */
    public Map<String, Boolean> sourceCapabilities() {
        return Map.copyOf(sourceCapabilities);
    }

    public Map<String, Boolean> destinationCapabilities() {
        return Map.copyOf(destinationCapabilities);
    }

    public ObjectNode sourceParameters() {
        return sourceParameters.deepCopy();
    }

    public ObjectNode destinationParameters() {
        return destinationParameters.deepCopy();
    }

    public Long startPostcopyAfterMs() {
        return startPostcopyAfterMs;
    }

    public long completionTimeoutPerGiBs() {
        return completionTimeoutPerGiBs;
    }

    /** Parameters as text, for the outcome's {@code appliedParameters}. */
    static Map<String, String> asText(JsonNode params) {
        Map<String, String> out = new LinkedHashMap<>();
        params.properties().forEach(f -> out.put(f.getKey(), f.getValue().asText()));
        return out;
    }
}
