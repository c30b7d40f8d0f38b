package io.lmadvisor.executor.qmp;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where one VM runs and where it may go.
 *
 * @param sourceQmp          the source QEMU's QMP socket (a monitor of its own, not libvirt's)
 * @param destinationQmp     the destination QEMU's QMP socket; it was started with {@code -incoming defer}
 * @param incomingUri        what the destination listens on ({@code migrate-incoming}), e.g. {@code tcp:0.0.0.0:4444}
 * @param migrationUri       what the source connects to ({@code migrate}); the incoming URI unless the link says otherwise
 * @param linkMBps           the migration link's capacity in MB/s, if known (for warnings only)
 * @param destinationHostId  the destination host's id for the outcome; the recommendation's when null
 */
public record InventoryEntry(
        String vmId,
        Path sourceQmp,
        Path destinationQmp,
        String incomingUri,
        String migrationUri,
        Double linkMBps,
        String destinationHostId) {
    public InventoryEntry {
        Objects.requireNonNull(vmId, "vmId");
        Objects.requireNonNull(sourceQmp, "sourceQmp");
        Objects.requireNonNull(destinationQmp, "destinationQmp");
        Objects.requireNonNull(incomingUri, "incomingUri");
        Objects.requireNonNull(migrationUri, "migrationUri");
    }

    /** Source and destination on one link whose address is the same on both sides (e.g. loopback). */
    public static InventoryEntry of(String vmId, Path sourceQmp, Path destinationQmp, String uri) {
        return new InventoryEntry(vmId, sourceQmp, destinationQmp, uri, uri, null, null);
    }
}
