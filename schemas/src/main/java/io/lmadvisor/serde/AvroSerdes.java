package io.lmadvisor.serde;

import io.lmadvisor.registry.SchemaRegistry;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/** Factories for ready-to-use serdes. */
public final class AvroSerdes {

    private AvroSerdes() {}

    /** Serde on an existing registry, auto-registering schemas. */
    public static <T extends SpecificRecord> AvroSerde<T> of(Class<T> type, SchemaRegistry registry, boolean isKey) {
        return new AvroSerde<>(type, registry, true, isKey);
    }

    /** Serde configured from Kafka-style properties ({@code schema.registry.url} etc.). */
    public static <T extends SpecificRecord> AvroSerde<T> of(Class<T> type, Map<String, ?> configs, boolean isKey) {
        AvroSerde<T> serde = new AvroSerde<>(type);
        serde.configure(configs, isKey);
        return serde;
    }
}
