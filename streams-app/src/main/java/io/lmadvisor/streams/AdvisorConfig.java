package io.lmadvisor.streams;

import io.lmadvisor.config.ClientSettings;
import io.lmadvisor.config.LayeredConfig;
import io.lmadvisor.model.artifact.ModelArtifact;
import io.lmadvisor.streams.deadletter.DeadLetters;
import io.lmadvisor.streams.deadletter.RecordValidator;
import io.lmadvisor.streams.evaluation.EvaluationSettings;
import io.lmadvisor.streams.model.ModelSource;
import io.lmadvisor.streams.risk.RiskHysteresis;
import io.lmadvisor.streams.app.HealthSettings;
import io.lmadvisor.streams.calibration.CalibrationSettings;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

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

    /** Our own keys; everything else passes through to Kafka Streams, the clients and the registry. */
    public static final List<String> KEYS = List.of(WINDOW_MS, GRACE_MS, TOP_K, SILENT_AFTER_WINDOWS, MODEL_PATH,
            MODEL_POLL_MS, HTTP_BIND, HTTP_PORT, HTTP_ADVERTISED_HOST, HTTP_TOKEN, EVALUATION_WINDOW_OUTCOMES, DRIFT_FACTOR,
            DRIFT_MIN_OUTCOMES,
            MODEL_MAX_UNCOMPRESSED_BYTES, MODEL_MAX_ENTRIES, MODEL_MIN_TRAINING_ROWS, MAX_CLOCK_SKEW_MS,
            HEALTH_THREAD_FAILURES, HEALTH_FAILURE_WINDOW_MS, HEALTH_STALL_MS, RISK_CLEAR_BELOW, RISK_CLEAR_WINDOWS,
            CALIBRATION_ENABLED, CALIBRATION_EVERY_ROWS, CALIBRATION_MARGIN, CALIBRATION_FOLDS, CALIBRATION_MAX_ROWS);

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
                // Unprefixed, so a user's plain or consumer./producer.-prefixed setting wins. Not default.api.timeout.ms:
                // the admin client refuses one below its request.timeout.ms; close(timeout) bounds shutdown anyway.
                ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "6000",
                ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "1500",
                ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000",
                ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "5000");
    }

    private final Properties props;

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
        // Undecodable records, whatever one record makes a processor throw, and output that cannot be written: dead letters.
        props.putAll(DeadLetters.handlerProperties());
        props.putAll(given);
        require(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG);
        require(SCHEMA_REGISTRY_URL);
        settings();
        riskHysteresis();
        topK();
        modelPollEvery();
        modelLimits();
        maxClockSkew();
        health();
        calibration();
        long port = positiveLong(HTTP_PORT, 8080, false);
        if (port > 65535) {
            throw new ConfigException(HTTP_PORT, port, "must be a TCP port, 1-65535");
        }
        // Interactive queries route by application.server: it must name this instance's HTTP endpoint.
        props.putIfAbsent(StreamsConfig.APPLICATION_SERVER_CONFIG, httpAdvertisedHost() + ":" + port);
    }

    public String httpBind() {
        return props.getProperty(HTTP_BIND, "127.0.0.1");
    }

    public int httpPort() {
        return (int) positiveLong(HTTP_PORT, 8080, false);
    }

    public String httpAdvertisedHost() {
        return props.getProperty(HTTP_ADVERTISED_HOST, httpBind().equals("0.0.0.0") ? "localhost" : httpBind());
    }

    /** Bearer token required by the HTTP endpoints, or null. Never logged. */
    public String httpToken() {
        String t = props.getProperty(HTTP_TOKEN);
        return t == null || t.isBlank() ? null : t;
    }

    private void require(String key) {
        LayeredConfig.required(props, key);
    }

    private long positiveLong(String key, long defaultValue, boolean zeroAllowed) {
        String v = props.getProperty(key);
        if (v == null) {
            return defaultValue;
        }
        try {
            long n = Long.parseLong(v.trim());
            if (n < 0 || (n == 0 && !zeroAllowed)) {
                throw new ConfigException(key, v, zeroAllowed ? "must not be negative" : "must be positive");
            }
            return n;
        } catch (NumberFormatException e) {
            throw new ConfigException(key, v, "must be a whole number");
        }
    }

    public AdvisorTopology.Settings settings() {
        AdvisorTopology.Settings d = AdvisorTopology.Settings.DEFAULTS;
        return new AdvisorTopology.Settings(
                Duration.ofMillis(positiveLong(WINDOW_MS, d.window().toMillis(), false)),
                Duration.ofMillis(positiveLong(GRACE_MS, d.grace().toMillis(), true)),
                (int) positiveLong(SILENT_AFTER_WINDOWS, d.silentAfterWindows(), false),
                evaluation()).withRiskHysteresis(riskHysteresis());
    }

    /** When an open SLA risk clears (see README, "Risk events"). */
    public RiskHysteresis riskHysteresis() {
        RiskHysteresis d = RiskHysteresis.DEFAULTS;
        long windows = positiveLong(RISK_CLEAR_WINDOWS, d.clearAfterWindows(), false);
        if (windows > 1000) {
            throw new ConfigException(RISK_CLEAR_WINDOWS, windows, "must be at most 1000");
        }
        String v = props.getProperty(RISK_CLEAR_BELOW);
        double below = d.clearBelow();
        if (v != null) {
            try {
                below = Double.parseDouble(v.trim());
            } catch (NumberFormatException e) {
                throw new ConfigException(RISK_CLEAR_BELOW, v, "must be a number above 0 and at most 1");
            }
            if (!(below > 0 && below <= 1)) {
                throw new ConfigException(RISK_CLEAR_BELOW, v, "must be a number above 0 and at most 1");
            }
        }
        return new RiskHysteresis(below, (int) windows);
    }

    public EvaluationSettings evaluation() {
        EvaluationSettings d = EvaluationSettings.DEFAULTS;
        long window = positiveLong(EVALUATION_WINDOW_OUTCOMES, d.windowOutcomes(), false);
        long minOutcomes = positiveLong(DRIFT_MIN_OUTCOMES, d.driftMinOutcomes(), false);
        if (window > 100_000) {
            throw new ConfigException(EVALUATION_WINDOW_OUTCOMES, window, "must be at most 100000 (the window is kept in memory)");
        }
        if (minOutcomes > Integer.MAX_VALUE) {
            throw new ConfigException(DRIFT_MIN_OUTCOMES, minOutcomes, "is too large");
        }
        return new EvaluationSettings((int) window, driftFactor(d.driftFactor()), (int) minOutcomes);
    }

    private double driftFactor(double defaultValue) {
        String v = props.getProperty(DRIFT_FACTOR);
        if (v == null) {
            return defaultValue;
        }
        try {
            double f = Double.parseDouble(v.trim());
            if (!(f >= 1.0) || Double.isInfinite(f)) {
                throw new ConfigException(DRIFT_FACTOR, v, "must be a number >= 1");
            }
            return f;
        } catch (NumberFormatException e) {
            throw new ConfigException(DRIFT_FACTOR, v, "must be a number >= 1");
        }
    }

    /** Continuous calibration (docs/MODEL.md); off unless {@code lm.calibration.enabled=true}. */
    public CalibrationSettings calibration() {
        CalibrationSettings d = CalibrationSettings.DEFAULTS;
        String on = props.getProperty(CALIBRATION_ENABLED, Boolean.toString(d.enabled())).trim();
        if (!on.equalsIgnoreCase("true") && !on.equalsIgnoreCase("false")) {
            throw new ConfigException(CALIBRATION_ENABLED, on, "must be true or false");
        }
        long every = positiveLong(CALIBRATION_EVERY_ROWS, d.everyRows(), false);
        long folds = positiveLong(CALIBRATION_FOLDS, d.folds(), false);
        long max = positiveLong(CALIBRATION_MAX_ROWS, d.maxRows(), false);
        if (max > 1_000_000 || every > max) {
            throw new ConfigException(CALIBRATION_MAX_ROWS, max, "must be at least " + CALIBRATION_EVERY_ROWS
                    + " and at most 1000000 (the rows are kept in memory)");
        }
        if (folds < 2 || folds > 20) {
            throw new ConfigException(CALIBRATION_FOLDS, folds, "must be 2-20");
        }
        double margin;
        String m = props.getProperty(CALIBRATION_MARGIN, Double.toString(d.marginRatio()));
        try {
            margin = Double.parseDouble(m.trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(CALIBRATION_MARGIN, m, "must be a number >= 0 (0.05 = 5 %)");
        }
        if (!(margin >= 0) || Double.isInfinite(margin)) {
            throw new ConfigException(CALIBRATION_MARGIN, m, "must be a number >= 0 (0.05 = 5 %)");
        }
        return new CalibrationSettings(Boolean.parseBoolean(on), (int) every, margin, (int) folds, (int) max);
    }

    /** When readiness turns DOWN (see docs/OPERATIONS.md). */
    public HealthSettings health() {
        HealthSettings d = HealthSettings.DEFAULTS;
        long failures = positiveLong(HEALTH_THREAD_FAILURES, d.threadFailures(), true);
        if (failures > 1000) {
            throw new ConfigException(HEALTH_THREAD_FAILURES, failures, "must be at most 1000");
        }
        return new HealthSettings((int) failures,
                Duration.ofMillis(positiveLong(HEALTH_FAILURE_WINDOW_MS, d.failureWindow().toMillis(), false)),
                Duration.ofMillis(positiveLong(HEALTH_STALL_MS, d.stallAfter().toMillis(), false)), d.probeEvery());
    }

    public int topK() {
        return (int) positiveLong(TOP_K, 3, false);
    }

    /** {@value #MAX_CLOCK_SKEW_MS}: default 60 s; pass it to {@link AdvisorSerdes#create}. */
    public Duration maxClockSkew() {
        return Duration.ofMillis(positiveLong(MAX_CLOCK_SKEW_MS, RecordValidator.DEFAULT_MAX_CLOCK_SKEW.toMillis(), true));
    }

    public Duration modelPollEvery() {
        return Duration.ofMillis(positiveLong(MODEL_POLL_MS, 5_000, true));
    }

    /** What a model file may hold before it is refused (see docs/MODEL.md, "Model file limits"). */
    public ModelArtifact.LoadLimits modelLimits() {
        ModelArtifact.LoadLimits d = ModelSource.DEFAULT_LIMITS;
        long entries = positiveLong(MODEL_MAX_ENTRIES, d.maxEntries(), false);
        long rows = positiveLong(MODEL_MIN_TRAINING_ROWS, d.minTrainingRows(), true);
        if (entries > Integer.MAX_VALUE || rows > Integer.MAX_VALUE) {
            throw new ConfigException(entries > Integer.MAX_VALUE ? MODEL_MAX_ENTRIES : MODEL_MIN_TRAINING_ROWS,
                    Math.max(entries, rows), "is too large");
        }
        return new ModelArtifact.LoadLimits(positiveLong(MODEL_MAX_UNCOMPRESSED_BYTES, d.maxUncompressedBytes(), false),
                (int) entries, (int) rows);
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
        String v = props.getProperty(MODEL_PATH);
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
