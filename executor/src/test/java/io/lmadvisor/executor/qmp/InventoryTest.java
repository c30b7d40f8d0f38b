package io.lmadvisor.executor.qmp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InventoryTest {
    @TempDir
    Path dir;

    private Path write(String name, String text) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, text);
        return f;
    }

    @Test
    void readsYamlWithDefaultsAndRelativeSockets() throws Exception {
        Inventory inv = Inventory.load(write("inv.yaml", """
                vms:
                  vm-1:
                    source: {qmp: run/vm-1.qmp}
                    destination: {qmp: /run/lm/vm-1-dst.qmp, incoming: "tcp:0.0.0.0:4444", hostId: host-b}
                    link: {uri: "tcp:10.0.0.2:4444", bandwidthMBps: 125}
                  vm-2:
                    source: {qmp: /run/lm/vm-2.qmp}
                    destination: {qmp: /run/lm/vm-2-dst.qmp, incoming: "unix:/run/lm/vm-2.mig"}
                """));
        InventoryEntry e = inv.find("vm-1").orElseThrow();
        assertEquals(dir.resolve("run/vm-1.qmp"), e.sourceQmp());
        assertEquals(Path.of("/run/lm/vm-1-dst.qmp"), e.destinationQmp());
        assertEquals("tcp:0.0.0.0:4444", e.incomingUri());
        assertEquals("tcp:10.0.0.2:4444", e.migrationUri());
        assertEquals(125.0, e.linkMBps());
        assertEquals("host-b", e.destinationHostId());
        InventoryEntry two = inv.find("vm-2").orElseThrow();
        // Without a link URI the source connects to what the destination listens on.
        assertEquals("unix:/run/lm/vm-2.mig", two.migrationUri());
        assertNull(two.linkMBps());
        assertTrue(inv.find("vm-3").isEmpty());
    }

    @Test
    void readsJson() throws Exception {
        Inventory inv = Inventory.load(write("inv.json", """
                {"vms": {"vm-1": {"source": {"qmp": "/s.qmp"},
                  "destination": {"qmp": "/d.qmp", "incoming": "tcp:127.0.0.1:4444"}}}}
                """));
        assertEquals("tcp:127.0.0.1:4444", inv.find("vm-1").orElseThrow().migrationUri());
    }

    @Test
    void mistakesAreOneSentenceNamingFileVmAndKey() throws Exception {
        Path f = write("bad.yaml", """
                vms:
                  vm-1:
                    source: {qmp: /s.qmp}
                    destination: {qmp: /d.qmp}
                """);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Inventory.load(f));
        assertEquals("inventory file " + f + ", VM vm-1, destination: 'incoming' is missing", e.getMessage());

        Path bw = write("bw.yaml", """
                vms:
                  vm-1:
                    source: {qmp: /s.qmp}
                    destination: {qmp: /d.qmp, incoming: "tcp:h:1"}
                    link: {bandwidthMBps: fast}
                """);
        e = assertThrows(IllegalArgumentException.class, () -> Inventory.load(bw));
        assertTrue(e.getMessage().contains("bandwidthMBps must be a positive number of MB/s"), e.getMessage());

        Path none = write("none.yaml", "hosts: []\n");
        e = assertThrows(IllegalArgumentException.class, () -> Inventory.load(none));
        assertTrue(e.getMessage().contains("top-level 'vms' map"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> Inventory.load(dir.resolve("missing.yaml")));
        assertTrue(e.getMessage().startsWith("cannot read inventory file "), e.getMessage());
    }
}
