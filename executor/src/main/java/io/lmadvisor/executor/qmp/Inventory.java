package io.lmadvisor.executor.qmp;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * The VMs the QMP executor may migrate, read from a YAML or JSON file (YAML is a superset of
 * JSON, so one reader serves both):
 *
 * <pre>
 * vms:
 *   vm-1:
 *     source:      {qmp: /run/lm/vm-1.qmp}
 *     destination: {qmp: /run/lm/vm-1-dst.qmp, incoming: "tcp:0.0.0.0:4444", hostId: host-b}
 *     link:        {uri: "tcp:10.0.0.2:4444", bandwidthMBps: 125}
 * </pre>
 *
 * Relative socket paths are resolved against the file's folder. Any mistake is one sentence naming
 * the file, the VM and the key.
 */
public final class Inventory {
    private final Path file;
    private final Map<String, InventoryEntry> vms;

    private Inventory(Path file, Map<String, InventoryEntry> vms) {
        this.file = file;
        this.vms = Collections.unmodifiableMap(vms);
    }

    public static Inventory of(Map<String, InventoryEntry> vms) {
        return new Inventory(null, new LinkedHashMap<>(vms));
    }

    /** Reads {@code file}; a missing file or a bad entry is an {@link IllegalArgumentException} naming it. */
    public static Inventory load(Path file) {
        Object root;
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).load(r);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read inventory file " + file + ": " + e.getMessage(), e);
        } catch (YAMLException e) {
            throw new IllegalArgumentException(
                    "inventory file " + file + " is not valid YAML or JSON: "
                            + e.getMessage().replace('\n', ' '),
                    e);
        }
        if (!(root instanceof Map<?, ?> top) || !(top.get("vms") instanceof Map<?, ?> list)) {
            throw new IllegalArgumentException("inventory file " + file + " needs a top-level 'vms' map of vmId"
                    + " to {source, destination, link}");
        }
        Path base = file.toAbsolutePath().getParent();
        Map<String, InventoryEntry> vms = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : list.entrySet()) {
            String vmId = String.valueOf(e.getKey());
            vms.put(vmId, entry(file, base, vmId, e.getValue()));
        }
        return new Inventory(file, vms);
    }

    private static InventoryEntry entry(Path file, Path base, String vmId, Object value) {
        String where = "inventory file " + file + ", VM " + vmId;
        if (!(value instanceof Map<?, ?> vm)) {
            throw new IllegalArgumentException(where + ": expected a map with source, destination and link");
        }
        Map<?, ?> source = section(where, vm, "source", true);
        Map<?, ?> dest = section(where, vm, "destination", true);
        Map<?, ?> link = section(where, vm, "link", false);
        Path sourceQmp = base.resolve(text(where + ", source", source, "qmp", true));
        Path destQmp = base.resolve(text(where + ", destination", dest, "qmp", true));
        String incoming = text(where + ", destination", dest, "incoming", true);
        String destHost = text(where + ", destination", dest, "hostId", false);
        String linkUri = text(where + ", link", link, "uri", false);
        Double linkMBps = null;
        Object bw = link.get("bandwidthMBps");
        if (bw != null) {
            if (!(bw instanceof Number n) || !(n.doubleValue() > 0) || Double.isInfinite(n.doubleValue())) {
                throw new IllegalArgumentException(
                        where + ", link: bandwidthMBps must be a positive number of MB/s," + " not '" + bw + "'");
            }
            linkMBps = n.doubleValue();
        }
        if (!incoming.contains(":")) {
            throw new IllegalArgumentException(where + ", destination: incoming must be a QEMU migration URI such as"
                    + " tcp:0.0.0.0:4444 or unix:/path, not '" + incoming + "'");
        }
        return new InventoryEntry(
                vmId, sourceQmp, destQmp, incoming, linkUri == null ? incoming : linkUri, linkMBps, destHost);
    }

    private static Map<?, ?> section(String where, Map<?, ?> vm, String key, boolean required) {
        Object v = vm.get(key);
        if (v == null && !required) {
            return Map.of();
        }
        if (!(v instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException(
                    where + ": '" + key + "' must be a map" + (v == null ? " and is missing" : ", not '" + v + "'"));
        }
        return m;
    }

    private static String text(String where, Map<?, ?> m, String key, boolean required) {
        Object v = m.get(key);
        if (v == null || String.valueOf(v).isBlank()) {
            if (required) {
                throw new IllegalArgumentException(where + ": '" + key + "' is missing");
            }
            return null;
        }
        return String.valueOf(v).trim();
    }

    /** The entry for {@code vmId}, if the inventory lists it. */
    public Optional<InventoryEntry> find(String vmId) {
        return Optional.ofNullable(vms.get(vmId));
    }

    public Set<String> vmIds() {
        return vms.keySet();
    }

    /** The file it was read from; null when built in code. */
    public Path file() {
        return file;
    }
}
