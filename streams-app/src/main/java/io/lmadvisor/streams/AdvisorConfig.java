package io.lmadvisor.streams;

import io.lmadvisor.config.ClientSettings;
import io.lmadvisor.config.ConfigDefs;
import io.lmadvisor.config.LayeredConfig;
import io.lmadvisor.config.NumberRange;
import io.lmadvisor.model.artifact.ModelArtifact;
import io.lmadvisor.streams.app.HealthSettings;
import io.lmadvisor.streams.calibration.CalibrationSettings;
import io.lmadvisor.streams.deadletter.DeadLetters;
import io.lmadvisor.streams.deadletter.RecordValidator;
import io.lmadvisor.streams.evaluation.EvaluationSettings;
import io.lmadvisor.streams.model.ModelSource;
import io.lmadvisor.streams.risk.RiskHysteresis;
import io.lmadvisor.streams.state.BoundedRocksDbMemory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The advisor's settings: our own {@code lm.*} keys plus Kafka Streams and client settings, which
 * pass through unchanged (security included). Invalid values fail at start, naming the setting.
 */
public final class AdvisorConfig {
    public static final String WINDOW_MS = "lm.window.ms";
    public static final String GRACE_MS = "lm.grace.ms";
    public static final String TOP_K = "lm.destinations.top.k";
    public static final String SILENT_AFTER_WINDOWS = "lm.agent.silent.after.windows";
    public static final String MODEL_PATH = "lm.model.path";
    public static final String MODEL_POLL_MS = "lm.model.poll.ms";
    public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
    public static final String HTTP_BIND = "lm.http.bind";
    public static final String HTTP_PORT = "lm.http.port";
    public static final String HTTP_ADVERTISED_HOST = "lm.http.advertised.host";
    public static final String HTTP_TOKEN = "lm.http.token";
    public static final String EVALUATION_WINDOW_OUTCOMES = "lm.evaluation.window.outcomes";
    public static final String DRIFT_FACTOR = "lm.drift.factor";
    public static final String RISK_CLEAR_BELOW = "lm.risk.clear.below";
    public static final String RISK_CLEAR_WINDOWS = "lm.risk.clear.windows";
    public static final String DRIFT_MIN_OUTCOMES = "lm.drift.min.outcomes";
    public static final String MODEL_MAX_UNCOMPRESSED_BYTES = "lm.model.max.uncompressed.bytes";
    public static final String MODEL_MAX_ENTRIES = "lm.model.max.entries";
    public static final String MODEL_MIN_TRAINING_ROWS = "lm.model.min.training.rows";
    /** How far ahead of this instance's wall clock an event time may be before the record is dead-lettered. */
    public static final String MAX_CLOCK_SKEW_MS = "lm.max.clock.skew.ms";

    public static final String HEALTH_THREAD_FAILURES = "lm.health.thread.failures";
    public static final String HEALTH_FAILURE_WINDOW_MS = "lm.health.failure.window.ms";
    public static final String HEALTH_STALL_MS = "lm.health.stall.ms";
    public static final String CALIBRATION_ENABLED = "lm.calibration.enabled";
    public static final String CALIBRATION_EVERY_ROWS = "lm.calibration.every.rows";
    public static final String CALIBRATION_MARGIN = "lm.calibration.margin";
    public static final String CALIBRATION_FOLDS = "lm.calibration.folds";
    public static final String CALIBRATION_MAX_ROWS = "lm.calibration.max.rows";

    public static final String DEFAULT_APPLICATION_ID = "lm-advisor";

    /**
     * Our own settings, with their types, defaults, valid ranges and one line of documentation: the one source
     * of the README's settings table (checked by a test). Everything else passes through to Kafka Streams, the
     * clients and the registry.
     */
    public static final ConfigDef DEFINITION = definition();

    /** Our own keys. */
    public static final List<String> KEYS = List.copyOf(DEFINITION.names());

    private static ConfigDef definition() {
        AdvisorTopology.Settings topology = AdvisorTopology.Settings.DEFAULTS;
        RiskHysteresis risk = RiskHysteresis.DEFAULTS;
        EvaluationSettings evaluation = EvaluationSettings.DEFAULTS;
        HealthSettings health = HealthSettings.DEFAULTS;
        CalibrationSettings calibration = CalibrationSettings.DEFAULTS;
        ModelArtifact.LoadLimits limits = ModelSource.DEFAULT_LIMITS;
        return new ConfigDef()
                .define(
                        HEALTH_THREAD_FAILURES,
                        Type.INT,
                        health.threadFailures(),
                        Range.between(0, 1000),
                        Importance.LOW,
                        "Stream-thread failures tolerated within lm.health.failure.window.ms before readiness is DOWN.")
                .define(
                        HEALTH_FAILURE_WINDOW_MS,
                        Type.LONG,
                        health.failureWindow().toMillis(),
                        Range.atLeast(1),
                        Importance.LOW,
                        "How far back stream-thread failures count.")
                .define(
                        HEALTH_STALL_MS,
                        Type.LONG,
                        health.stallAfter().toMillis(),
                        Range.atLeast(1),
                        Importance.LOW,
                        "Lag with nothing consumed for this long makes readiness DOWN.")
                .define(
                        WINDOW_MS,
                        Type.LONG,
                        topology.window().toMillis(),
                        Range.atLeast(1),
                        Importance.HIGH,
                        "Profile window.")
                .define(
                        GRACE_MS,
                        Type.LONG,
                        topology.grace().toMillis(),
                        Range.atLeast(0),
                        Importance.MEDIUM,
                        "Grace for late samples.")
                .define(TOP_K, Type.INT, 3, Range.atLeast(1), Importance.MEDIUM, "Destinations scored per profile.")
                .define(
                        BoundedRocksDbMemory.MEMORY_MB,
                        Type.INT,
                        BoundedRocksDbMemory.DEFAULT_MEMORY_MB,
                        Range.atLeast(8),
                        Importance.LOW,
                        "MiB of memory outside the heap shared by all RocksDB stores of the process (block cache and"
                                + " memtables).")
                .define(
                        SILENT_AFTER_WINDOWS,
                        Type.INT,
                        topology.silentAfterWindows(),
                        Range.atLeast(1),
                        Importance.MEDIUM,
                        "Windows without a profile before AGENT_SILENT.")
                .define(
                        RISK_CLEAR_BELOW,
                        Type.DOUBLE,
                        risk.clearBelow(),
                        NumberRange.above(0, 1),
                        Importance.LOW,
                        "An open risk clears only in windows whose figure is below this share of its raising threshold.")
                .define(
                        RISK_CLEAR_WINDOWS,
                        Type.INT,
                        risk.clearAfterWindows(),
                        Range.between(1, 1000),
                        Importance.LOW,
                        "Consecutive such windows before an open risk is CLEARED (1 = at once).")
                .define(
                        MODEL_PATH,
                        Type.STRING,
                        null,
                        Importance.HIGH,
                        "Model file, reloaded when it changes; unset: the bundled model.")
                .define(
                        MODEL_POLL_MS,
                        Type.LONG,
                        5_000L,
                        Range.atLeast(0),
                        Importance.LOW,
                        "How often the model file is checked.")
                .define(
                        MODEL_MAX_UNCOMPRESSED_BYTES,
                        Type.LONG,
                        limits.maxUncompressedBytes(),
                        Range.atLeast(1),
                        Importance.LOW,
                        "A model file inflating to more is refused.")
                .define(
                        MODEL_MAX_ENTRIES,
                        Type.INT,
                        limits.maxEntries(),
                        Range.atLeast(1),
                        Importance.LOW,
                        "A model file with more zip entries is refused.")
                .define(
                        MODEL_MIN_TRAINING_ROWS,
                        Type.INT,
                        limits.minTrainingRows(),
                        Range.atLeast(0),
                        Importance.LOW,
                        "A model any trained cell of which saw fewer rows is refused (0 = no minimum).")
                .define(HTTP_BIND, Type.STRING, "127.0.0.1", Importance.MEDIUM, "Address of the HTTP endpoints.")
                .define(
                        HTTP_PORT,
                        Type.INT,
                        8080,
                        Range.between(1, 65535),
                        Importance.MEDIUM,
                        "Their port; also advertised to other instances as application.server.")
                .define(
                        HTTP_ADVERTISED_HOST,
                        Type.STRING,
                        null,
                        Importance.MEDIUM,
                        "Host other instances use to reach this one; unset: the bind address.")
                .define(
                        HTTP_TOKEN,
                        Type.PASSWORD,
                        null,
                        Importance.MEDIUM,
                        "Bearer token every request must carry (never logged, never sent to Kafka).")
                .define(
                        EVALUATION_WINDOW_OUTCOMES,
                        Type.INT,
                        evaluation.windowOutcomes(),
                        Range.between(1, 100_000),
                        Importance.LOW,
                        "Outcomes per (algorithm, metric) cell in the online evaluation's rolling window "
                                + "(kept in memory).")
                .define(
                        DRIFT_FACTOR,
                        Type.DOUBLE,
                        evaluation.driftFactor(),
                        NumberRange.atLeast(1),
                        Importance.LOW,
                        "MODEL_DRIFT is raised when a cell's window gMRE exceeds this multiple of the model's "
                                + "validation gMRE.")
                .define(
                        DRIFT_MIN_OUTCOMES,
                        Type.INT,
                        evaluation.driftMinOutcomes(),
                        Range.atLeast(1),
                        Importance.LOW,
                        "Outcomes a cell's window needs before drift is judged.")
                .define(
                        CALIBRATION_ENABLED,
                        Type.BOOLEAN,
                        calibration.enabled(),
                        Importance.MEDIUM,
                        "Continuous calibration of a challenger model on the fleet's training rows.")
                .define(
                        CALIBRATION_EVERY_ROWS,
                        Type.INT,
                        calibration.everyRows(),
                        Range.atLeast(1),
                        Importance.LOW,
                        "New training rows between two challengers.")
                .define(
                        CALIBRATION_MARGIN,
                        Type.DOUBLE,
                        calibration.marginRatio(),
                        NumberRange.atLeast(0),
                        Importance.LOW,
                        "A cell is worse when the challenger's gMRE exceeds the champion's times (1 + margin).")
                .define(
                        CALIBRATION_FOLDS,
                        Type.INT,
                        calibration.folds(),
                        Range.between(2, 20),
                        Importance.LOW,
                        "Cross-validation folds over the fleet's rows.")
                .define(
                        CALIBRATION_MAX_ROWS,
                        Type.INT,
                        calibration.maxRows(),
                        Range.between(1, 1_000_000),
                        Importance.LOW,
                        "Newest fleet rows kept in memory and calibrated on.")
                .define(
                        MAX_CLOCK_SKEW_MS,
                        Type.LONG,
                        RecordValidator.DEFAULT_MAX_CLOCK_SKEW.toMillis(),
                        Range.atLeast(0),
                        Importance.LOW,
                        "How far an event time may be ahead of the advisor's clock.");
    }

    /**
     * Service defaults every advisor gets unless set: a dead instance's tasks move after ~6 s instead of 45 s
     * (classic protocol; measured in docs/PERFORMANCE.md), a warm standby takes them over, and no client call
     * blocks shutdown for minutes.
     */
    public static Map<String, String> serviceDefaults() {
        return Map.of(
                StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2,
                // exactly_once_v2 would commit every 100 ms; 1 s lets the state cache absorb per-second updates.
                StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "1000",
                StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, "1",
                // One bounded cache for every RocksDB store instead of ~100 MB per store instance.
                StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDbMemory.class.getName(),
                // Unprefixed, so a user's plain or consumer./producer.-prefixed setting wins. Not
                // default.api.timeout.ms:
                // the admin client refuses one below its request.timeout.ms; close(timeout) bounds shutdown anyway.
                ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "6000",
                ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "1500",
                ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000",
                ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "5000");
    }

    private final Properties props;
    /** Our own settings, parsed and validated by {@link #DEFINITION}. */
    private final Map<String, Object> own;

    /**
     * Layers settings as documented (see {@link LayeredConfig}): the properties file, then {@code LM_*}
     * environment variables, then command-line flags. {@code LM_WINDOW_MS} sets {@code lm.window.ms};
     * {@code LM_BOOTSTRAP_SERVERS} sets {@code bootstrap.servers}; {@code LM_SASL_JAAS_CONFIG} sets
     * {@code sasl.jaas.config}.
     */
    public static AdvisorConfig layered(Properties file, Map<String, String> env, Properties flags) {
        return new AdvisorConfig(LayeredConfig.layer(file, env, flags, KEYS));
    }

    public AdvisorConfig(Properties given) {
        props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, DEFAULT_APPLICATION_ID);
        props.putAll(serviceDefaults());
        // Undecodable records, whatever one record makes a processor throw, and output that cannot be written: dead
        // letters.
        props.putAll(DeadLetters.handlerProperties());
        props.putAll(given);
        require(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG);
        require(SCHEMA_REGISTRY_URL);
        own = ConfigDefs.parse(DEFINITION, props);
        if (integer(CALIBRATION_EVERY_ROWS) > integer(CALIBRATION_MAX_ROWS)) {
            throw new ConfigException(
                    CALIBRATION_MAX_ROWS,
                    own.get(CALIBRATION_MAX_ROWS),
                    "must be at least " + CALIBRATION_EVERY_ROWS
                            + " and at most 1000000 (the rows are kept in memory)");
        }
        // Interactive queries route by application.server: it must name this instance's HTTP endpoint.
        props.putIfAbsent(StreamsConfig.APPLICATION_SERVER_CONFIG, httpAdvertisedHost() + ":" + httpPort());
    }

    public String httpBind() {
        return (String) own.get(HTTP_BIND);
    }

    public int httpPort() {
        return integer(HTTP_PORT);
    }

    public String httpAdvertisedHost() {
        String host = (String) own.get(HTTP_ADVERTISED_HOST);
        return host != null ? host : httpBind().equals("0.0.0.0") ? "localhost" : httpBind();
    }

    /** Bearer token required by the HTTP endpoints, or null. Never logged. */
    public String httpToken() {
        Password t = (Password) own.get(HTTP_TOKEN);
        return t == null || t.value().isBlank() ? null : t.value();
    }

    private void require(String key) {
        LayeredConfig.required(props, key);
    }

    private int integer(String key) {
        return (Integer) own.get(key);
    }

    private Duration millis(String key) {
        return Duration.ofMillis((Long) own.get(key));
    }

    public AdvisorTopology.Settings settings() {
        return new AdvisorTopology.Settings(
                        millis(WINDOW_MS), millis(GRACE_MS), integer(SILENT_AFTER_WINDOWS), evaluation())
                .withRiskHysteresis(riskHysteresis());
    }

    /** When an open SLA risk clears (see README, "Risk events"). */
    public RiskHysteresis riskHysteresis() {
        return new RiskHysteresis((Double) own.get(RISK_CLEAR_BELOW), integer(RISK_CLEAR_WINDOWS));
    }

    public EvaluationSettings evaluation() {
        return new EvaluationSettings(
                integer(EVALUATION_WINDOW_OUTCOMES), (Double) own.get(DRIFT_FACTOR), integer(DRIFT_MIN_OUTCOMES));
    }

    /** Continuous calibration (docs/MODEL.md); off unless {@code lm.calibration.enabled=true}. */
    public CalibrationSettings calibration() {
        return new CalibrationSettings(
                (Boolean) own.get(CALIBRATION_ENABLED),
                integer(CALIBRATION_EVERY_ROWS),
                (Double) own.get(CALIBRATION_MARGIN),
                integer(CALIBRATION_FOLDS),
                integer(CALIBRATION_MAX_ROWS));
    }

    /** When readiness turns DOWN (see docs/OPERATIONS.md). */
    public HealthSettings health() {
        return new HealthSettings(
                integer(HEALTH_THREAD_FAILURES),
                millis(HEALTH_FAILURE_WINDOW_MS),
                millis(HEALTH_STALL_MS),
                HealthSettings.DEFAULTS.probeEvery());
    }

    public int topK() {
        return integer(TOP_K);
    }

    /** {@value #MAX_CLOCK_SKEW_MS}: default 60 s; pass it to {@link AdvisorSerdes#create}. */
    public Duration maxClockSkew() {
        return millis(MAX_CLOCK_SKEW_MS);
    }

    public Duration modelPollEvery() {
        return millis(MODEL_POLL_MS);
    }

    /** What a model file may hold before it is refused (see docs/MODEL.md, "Model file limits"). */
    public ModelArtifact.LoadLimits modelLimits() {
        return new ModelArtifact.LoadLimits(
                (Long) own.get(MODEL_MAX_UNCOMPRESSED_BYTES),
                integer(MODEL_MAX_ENTRIES),
                integer(MODEL_MIN_TRAINING_ROWS));
    }

    /** The setting behind each model load limit, for messages. */
    public static String modelLimitSetting(ModelArtifact.Limit limit) {
        return switch (limit) {
            case UNCOMPRESSED_BYTES -> MODEL_MAX_UNCOMPRESSED_BYTES;
            case ENTRIES -> MODEL_MAX_ENTRIES;
            case TRAINING_ROWS -> MODEL_MIN_TRAINING_ROWS;
        };
    }

    /** The model file, or null for the built-in model. */
    public Path modelPath() {
        String v = (String) own.get(MODEL_PATH);
        return v == null || v.isBlank() ? null : Path.of(v.trim());
    }

    /** Everything Kafka Streams and the serdes see (our HTTP token stays out). */
    public Properties streamsProperties() {
        Properties p = new Properties();
        p.putAll(props);
        p.remove(HTTP_TOKEN);
        return p;
    }

    /** Every effective setting, secrets hidden, one per line: for the start-up log. */
    public String describe() {
        return LayeredConfig.describe(props);
    }

    /** Settings for the registry client and serdes. */
    public Map<String, Object> registryConfig() {
        return ClientSettings.registry(props);
    }
}
