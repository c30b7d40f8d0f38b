package io.lmadvisor.streams.profile;

import io.lmadvisor.avro.DirtyRateMethod;

/**
 * Running sums of one VM's samples within one window. Means are derived at emission, so the state
 * stays a fixed handful of numbers per VM. Optional measures keep their own counts: a mean over
 * the samples that carried the value, null when none did.
 */
public final class ProfileAccumulator {
    String hostId = "";
    int sampleCount;
    long lastTimestampMs = Long.MIN_VALUE;
    double lastVmSizeMb;
    /** The latest sample's dirtyRateMethod (null: it did not say). */
    DirtyRateMethod lastDirtyRateMethod;
    /** vCPUs of the latest sample that reported them (null: none did); a count, so the latest, not a mean. */
    Integer lastVcpus;

    double sumDirtyPagesPerSec;
    double maxWorkingSetPages = Double.NaN;
    double sumCpuUtilPercent;
    final OptionalMean changedPageEntropy = new OptionalMean();
    final OptionalMean unchangedPageEntropy = new OptionalMean();
    final OptionalMean modifiedBytesPerPage = new OptionalMean();
    final OptionalMean instructionsPerSec = new OptionalMean();
    final OptionalMean netUtilMBps = new OptionalMean();

    /** A mean over the samples that carried a value. */
    static final class OptionalMean {
        double sum;
        int count;

        void add(Double value) {
            if (value != null) {
                sum += value;
                count++;
            }
        }

        Double mean() {
            return count == 0 ? null : sum / count;
        }
    }
}
