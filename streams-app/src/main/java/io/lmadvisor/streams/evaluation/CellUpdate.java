package io.lmadvisor.streams.evaluation;

import io.lmadvisor.avro.PredictionEvaluation;
import io.lmadvisor.avro.SlaRiskEvent;

/** A cell's new figures, and a MODEL_DRIFT transition when they call for one (else null). */
record CellUpdate(PredictionEvaluation evaluation, SlaRiskEvent drift) {}
