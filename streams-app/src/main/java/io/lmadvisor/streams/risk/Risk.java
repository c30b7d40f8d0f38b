package io.lmadvisor.streams.risk;

import io.lmadvisor.avro.SlaRiskSeverity;
import io.lmadvisor.avro.SlaRiskType;

/** A risk found in one profile, with the numbers behind it (NaN where there is no number). */
public record Risk(
        SlaRiskType type,
        SlaRiskSeverity severity,
        String message,
        String metric,
        double predictedValue,
        double limitValue) {}
