package io.lmadvisor.agent.publish;

import io.lmadvisor.agent.spool.SpoolRecord;
import io.lmadvisor.registry.SchemaRegistry;
import io.lmadvisor.registry.SchemaRegistryException;
import io.lmadvisor.registry.SchemaRegistryUnavailableException;
import io.lmadvisor.serde.AvroSerdeConfig;
import io.lmadvisor.serde.WireFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's schema ids, so a registry outage never costs a sample. Samples are encoded at once
 * with a placeholder id (negative: never a real one) derived from the schema's fingerprint; the
 * sender swaps in the real id before sending. Ids are cached for good once known, so after the
 * first answer the registry is not needed again. While it is unreachable, records wait (in order,
 * in the spool) and the registry is asked again after a growing pause (1 s up to 30 s), never per
 * sample.
 */
public final class SchemaIds {
    private static final Logger LOG = LoggerFactory.getLogger(SchemaIds.class);
    private static final long MIN_PAUSE_MS = 1_000;
    private static final long MAX_PAUSE_MS = 30_000;

    private final SchemaRegistry registry;
    private final boolean autoRegister;
    private final LongSupplier clockMs;
    private final Map<Integer, Schema> schemaByPlaceholder = new ConcurrentHashMap<>();
    private final Map<String, Integer> idBySubjectAndPlaceholder = new ConcurrentHashMap<>();
    private long pauseMs; // guarded by this
    private long nextAttemptMs; // guarded by this
    private String lastError; // guarded by this

    public SchemaIds(SchemaRegistry registry, boolean autoRegister) {
        this(registry, autoRegister, System::currentTimeMillis);
    }

    SchemaIds(SchemaRegistry registry, boolean autoRegister, LongSupplier clockMs) {
        this.registry = registry;
        this.autoRegister = autoRegister;
        this.clockMs = clockMs;
    }

    /** The placeholder id of a schema: negative, stable across runs for the same schema. */
    public int placeholder(Schema schema) {
        int p = (int) SchemaNormalization.parsingFingerprint64(schema) | 0x8000_0000;
        Schema known = schemaByPlaceholder.putIfAbsent(p, schema);
        if (known != null
                && !SchemaNormalization.toParsingForm(known).equals(SchemaNormalization.toParsingForm(schema))) {
            throw new IllegalStateException("Two agent schemas share placeholder " + p + ": " + known.getFullName()
                    + ", " + schema.getFullName());
        }
        return p;
    }

    /**
     * A registry for the agent's serializers: it answers every register/lookup with the schema's
     * placeholder and never calls the network.
     */
    public SchemaRegistry placeholders() {
        return new SchemaRegistry() {
            @Override
            public int register(String subject, Schema schema) {
                return placeholder(schema);
            }

            @Override
            public int getIdFor(String subject, Schema schema) {
                return placeholder(schema);
            }

            @Override
            public Schema getById(int id) {
                throw new UnsupportedOperationException("the agent only writes");
            }

            @Override
            public boolean testCompatibility(String subject, Schema schema) {
                return registry.testCompatibility(subject, schema);
            }

            @Override
            public String getCompatibility(String subjectOrNullForGlobal) {
                return registry.getCompatibility(subjectOrNullForGlobal);
            }

            @Override
            public void setCompatibility(String subjectOrNullForGlobal, String level) {
                registry.setCompatibility(subjectOrNullForGlobal, level);
            }
        };
    }

    /** The record with its real schema id if that is known already (no network), else unchanged. */
    public SpoolRecord resolveIfKnown(SpoolRecord r) {
        int p = placeholderOf(r);
        if (p >= 0) {
            return r;
        }
        Integer id = idBySubjectAndPlaceholder.get(key(r, p));
        return id == null ? r : withId(r, id);
    }

    /**
     * The record with its real schema id, asking the registry if needed (at most once per pause).
     *
     * @throws SchemaRegistryException transient ({@link SchemaRegistryException#isTransient()})
     *     while the registry cannot answer: try again later; otherwise the record cannot be sent
     * @throws IllegalStateException for a placeholder of a schema this agent does not write (a
     *     spool left by another agent version)
     */
    public SpoolRecord resolve(SpoolRecord r) {
        int p = placeholderOf(r);
        if (p >= 0) {
            return r;
        }
        String key = key(r, p);
        Integer id = idBySubjectAndPlaceholder.get(key);
        if (id == null) {
            Schema schema = schemaByPlaceholder.get(p);
            if (schema == null) {
                throw new IllegalStateException("spooled by an agent that wrote another schema" + " (placeholder " + p
                        + "); its schema id cannot be resolved");
            }
            id = fetch(AvroSerdeConfig.subject(r.topic(), false), schema);
            idBySubjectAndPlaceholder.put(key, id);
        }
        return withId(r, id);
    }

    /** True while the registry is known to be unreachable. */
    public synchronized boolean unreachable() {
        return lastError != null;
    }

    private synchronized int fetch(String subject, Schema schema) {
        long now = clockMs.getAsLong();
        if (lastError != null && now < nextAttemptMs) {
            throw new SchemaRegistryUnavailableException(
                    "Schema registry unreachable (" + lastError + "); next attempt in " + (nextAttemptMs - now) / 1000
                            + " s",
                    null);
        }
        try {
            int id = autoRegister ? registry.register(subject, schema) : registry.getIdFor(subject, schema);
            if (lastError != null) {
                LOG.info("Schema registry answers again: {} has schema id {}", subject, id);
            }
            lastError = null;
            pauseMs = 0;
            return id;
        } catch (SchemaRegistryException e) {
            if (e.isTransient()) {
                if (lastError == null) {
                    LOG.warn(
                            "Schema registry unreachable ({}); samples wait in the spool until it answers",
                            e.getMessage());
                }
                lastError = e.getMessage();
                pauseMs = Math.min(MAX_PAUSE_MS, Math.max(MIN_PAUSE_MS, pauseMs * 2));
                nextAttemptMs = now + pauseMs;
            }
            throw e;
        }
    }

    private static int placeholderOf(SpoolRecord r) {
        return WireFormat.isWireFormat(r.value()) ? WireFormat.schemaId(r.value()) : 0;
    }

    private static String key(SpoolRecord r, int placeholder) {
        return r.topic() + '\u0000' + placeholder;
    }

    private static SpoolRecord withId(SpoolRecord r, int id) {
        byte[] value = r.value().clone();
        WireFormat.writeHeader(value, id);
        return new SpoolRecord(r.topic(), r.key(), value, r.timestampMs());
    }
}
