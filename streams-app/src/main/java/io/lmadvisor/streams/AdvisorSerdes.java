package io.lmadvisor.streams;

import io.lmadvisor.avro.HostSample;
import io.lmadvisor.avro.MigrationOutcome;
import io.lmadvisor.avro.MigrationRecommendation;
import io.lmadvisor.avro.PredictionEvaluation;
import io.lmadvisor.avro.SlaPolicy;
import io.lmadvisor.avro.SlaRiskEvent;
import io.lmadvisor.avro.VmProfile;
import io.lmadvisor.avro.VmSample;
import io.lmadvisor.registry.SchemaRegistry;
import io.lmadvisor.serde.AvroSerdes;
import io.lmadvisor.streams.deadletter.RecordValidator;
import io.lmadvisor.streams.deadletter.ValidatingSerde;
import java.time.Clock;
import java.time.Duration;
import org.apache.kafka.common.serialization.Serde;

/**
 * Every serde of the topology, explicit, on one registry. Inputs are validated as they are decoded; the
 * same validator judges event times where the topology needs them (timestamp extractor, windows).
 */
public record AdvisorSerdes(
        Serde<VmSample> vmSample,
        Serde<HostSample> hostSample,
        Serde<SlaPolicy> slaPolicy,
        Serde<VmProfile> vmProfile,
        Serde<MigrationRecommendation> recommendation,
        Serde<SlaRiskEvent> riskEvent,
        Serde<MigrationOutcome> outcome,
        Serde<PredictionEvaluation> evaluation,
        RecordValidator validator) {

    public static AdvisorSerdes create(SchemaRegistry registry, Clock clock) {
        return create(registry, clock, RecordValidator.DEFAULT_MAX_CLOCK_SKEW);
    }

    /** @param maxClockSkew how far ahead of {@code clock} an event time may be ({@code lm.max.clock.skew.ms}) */
    public static AdvisorSerdes create(SchemaRegistry registry, Clock clock, Duration maxClockSkew) {
        RecordValidator validator = new RecordValidator(clock, maxClockSkew);
        return new AdvisorSerdes(
                new ValidatingSerde<>(AvroSerdes.of(VmSample.class, registry, false), validator::check),
                new ValidatingSerde<>(AvroSerdes.of(HostSample.class, registry, false), validator::check),
                new ValidatingSerde<>(AvroSerdes.of(SlaPolicy.class, registry, false), validator::check),
                // Each goes to a topic and a store, and the evaluation reads it back: encoded once (EncodeOnceSerde).
                new EncodeOnceSerde<>(AvroSerdes.of(VmProfile.class, registry, false)),
                new EncodeOnceSerde<>(AvroSerdes.of(MigrationRecommendation.class, registry, false)),
                AvroSerdes.of(SlaRiskEvent.class, registry, false),
                new ValidatingSerde<>(AvroSerdes.of(MigrationOutcome.class, registry, false), validator::check),
                AvroSerdes.of(PredictionEvaluation.class, registry, false),
                validator);
    }
}
