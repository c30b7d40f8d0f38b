package io.lmadvisor.streams.profile;

import io.lmadvisor.avro.VmSample;
import org.apache.kafka.streams.kstream.Aggregator;

/** Folds one per-second {@link VmSample} into its window's {@link ProfileAccumulator}. */
public final class VmSampleAggregator implements Aggregator<String, VmSample, ProfileAccumulator> {
    @Override
    public ProfileAccumulator apply(String vmId, VmSample sample, ProfileAccumulator acc) {
        long ts = sample.getTimestamp().toEpochMilli();
        // vCPUs are a state too, but a sample that does not know them leaves the last known count.
        Integer vcpus = sample.getVcpus();
        if (vcpus != null && (ts >= acc.lastTimestampMs || acc.lastVcpus == null)) {
            acc.lastVcpus = vcpus;
        }
        // Size and host are states, not rates: the latest sample in event time wins.
        if (ts >= acc.lastTimestampMs) {
            acc.lastTimestampMs = ts;
            acc.lastVmSizeMb = sample.getVmSizeMb();
            acc.lastDirtyRateMethod = sample.getDirtyRateMethod();
            acc.hostId = sample.getHostId();
        }
        acc.sampleCount++;
        acc.sumDirtyPagesPerSec += sample.getDirtiedPagesPerSec();
        acc.sumCpuUtilPercent += sample.getCpuUtilPercent();
        Long wss = sample.getWorkingSetPages();
        if (wss != null && !(wss <= acc.maxWorkingSetPages)) {
            acc.maxWorkingSetPages = wss;
        }
        acc.changedPageEntropy.add(sample.getChangedPageEntropy());
        acc.unchangedPageEntropy.add(sample.getUnchangedPageEntropy());
        acc.modifiedBytesPerPage.add(sample.getModifiedBytesPerPage());
        acc.instructionsPerSec.add(sample.getInstructionsPerSec());
        acc.netUtilMBps.add(sample.getNetUtilMBps());
        return acc;
    }
}
