package io.lmadvisor.streams.dashboard;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lmadvisor.avro.MigrationSettings;
import io.lmadvisor.serde.AvroJson;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A recommendation's settings as text an operator pastes: QMP commands, a {@code virsh migrate} line and a
 * KubeVirt MigrationPolicy. The figures are the recommendation's own; only the layout is added here.
 */
public final class SettingsText {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Pattern INTEGER = Pattern.compile("-?\\d{1,18}");
    private static final Pattern SAFE_NAME = Pattern.compile("[^a-z0-9-]");

    private SettingsText() {}

    /** One QMP command per line: capabilities, parameters, then {@code migrate}. */
    public static String qmp(MigrationSettings s, String destinationHost) {
        StringBuilder out = new StringBuilder();
        if (!s.getQemuCapabilities().isEmpty()) {
            ArrayNode caps = NODES.arrayNode();
            s.getQemuCapabilities()
                    .forEach((k, v) ->
                            caps.addObject().put("capability", k.toString()).put("state", v));
            ObjectNode cmd = NODES.objectNode().put("execute", "migrate-set-capabilities");
            cmd.putObject("arguments").set("capabilities", caps);
            out.append(AvroJson.write(cmd)).append('\n');
        }
        ObjectNode params = NODES.objectNode();
        for (Map.Entry<String, String> e : s.getQemuParameters().entrySet()) {
            String v = e.getValue().toString();
            if (INTEGER.matcher(v).matches()) {
                params.put(e.getKey().toString(), Long.parseLong(v));
            } else {
                params.put(e.getKey().toString(), v);
            }
        }
        ObjectNode set = NODES.objectNode().put("execute", "migrate-set-parameters");
        set.set("arguments", params);
        out.append(AvroJson.write(set)).append('\n');
        ObjectNode migrate = NODES.objectNode().put("execute", "migrate");
        migrate.putObject("arguments").put("uri", "tcp:" + host(destinationHost) + ":4444");
        out.append(AvroJson.write(migrate));
        if (s.getStartPostcopyAfterMs() != null) {
            out.append("\n# after ")
                    .append(s.getStartPostcopyAfterMs())
                    .append(" ms:\n")
                    .append("{\"execute\":\"migrate-start-postcopy\"}");
        }
        return out.toString();
    }

    public static String virsh(MigrationSettings s, String vmId, String destinationHost) {
        StringBuilder out = new StringBuilder("virsh migrate");
        for (String flag : s.getVirshFlags()) {
            out.append(' ').append(flag);
        }
        return out.append(' ')
                .append(vmId)
                .append(" qemu+ssh://")
                .append(host(destinationHost))
                .append("/system")
                .toString();
    }

    /** A MigrationPolicy selecting this VM's VirtualMachineInstance by its {@code kubevirt.io/vm} label. */
    public static String kubevirt(MigrationSettings s, String vmId) {
        String name = "lm-advisor-"
                + SAFE_NAME.matcher(vmId.toLowerCase(java.util.Locale.ROOT)).replaceAll("-");
        return "apiVersion: migrations.kubevirt.io/v1alpha1\n"
                + "kind: MigrationPolicy\n"
                + "metadata:\n"
                + "  name: " + name + "\n"
                + "spec:\n"
                + "  allowAutoConverge: " + s.getAllowAutoConverge() + "\n"
                + "  allowPostCopy: " + s.getAllowPostCopy() + "\n"
                + "  bandwidthPerMigration: \"" + s.getBandwidthPerMigration() + "\"\n"
                + "  completionTimeoutPerGiB: " + s.getCompletionTimeoutPerGiB() + "\n"
                + "  selectors:\n"
                + "    virtualMachineInstanceSelector:\n"
                + "      kubevirt.io/vm: \"" + vmId + "\"\n";
    }

    private static String host(String h) {
        return h == null || h.isBlank() ? "DESTINATION" : h;
    }
}
