package io.lmadvisor.streams.serving;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.lmadvisor.avro.HostSample;
import io.lmadvisor.avro.MigrationRecommendation;
import io.lmadvisor.avro.SlaRiskSeverity;
import io.lmadvisor.avro.SlaRiskType;
import io.lmadvisor.avro.VmProfile;
import io.lmadvisor.httpserver.BoundedHttpServer;
import io.lmadvisor.httpserver.HttpLimits;
import io.lmadvisor.serde.AvroJson;
import io.lmadvisor.streams.AdvisorMetrics;
import io.lmadvisor.streams.AdvisorTopology;
import io.lmadvisor.streams.app.AdvisorHealth;
import io.lmadvisor.streams.dashboard.Dashboard;
import io.lmadvisor.streams.deadletter.DeadLetterHandler;
import io.lmadvisor.streams.evaluation.CellAccumulator;
import io.lmadvisor.streams.evaluation.Cells;
import io.lmadvisor.streams.evaluation.EvaluationTopology;
import io.lmadvisor.streams.risk.RiskState;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The advisor's HTTP face: {@code GET /vms/{id}}, {@code /vms?risk=TYPE}, {@code /hosts}, {@code /evaluation},
 * {@code /health} (with {@code /health/live} and {@code /health/ready}), {@code /metrics}. Per-VM state lives on the instance that owns the VM's partition; a request that
 * lands elsewhere is forwarded there (Kafka Streams interactive queries), and {@code /vms?risk=} asks
 * every instance. Optional bearer token; secrets never appear in responses.
 * <p>Javalin on Jetty: connections wait on a selector, not a thread, so idle or half-open clients cannot block
 * others; the bounds are {@link #LIMITS} (the shared {@link BoundedHttpServer}).
 * New routes go in {@link #routes}; the {@link Dashboard} adds its own (page, login, SSE) there.
 */
public final class AdvisorHttpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AdvisorHttpServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String LOCAL_ONLY = "local=1";
    /** The shared HTTP bounds, with more threads for forwarded queries; 10 s idle and read timeouts. */
    public static final HttpLimits LIMITS =
            HttpLimits.defaults().withIdleTimeout(Duration.ofSeconds(10)).withMaxThreads(16);

    private final KafkaStreams streams;
    private final HostInfo self;
    private final Supplier<String> modelVersion;
    private final String bearerToken;
    private final AdvisorHealth health;
    private final InetSocketAddress bind;
    private final BoundedHttpServer server;
    private final HttpClient client =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final KafkaStreamsMetrics streamsMetrics;
    /** The fleet dashboard at {@code /}, or null. */
    private final Dashboard dashboard;

    /**
     * @param bind        address to listen on (loopback unless deliberately exposed)
     * @param self        this instance as other instances reach it: must equal {@code application.server}
     * @param bearerToken required on every request when not null
     */
    public AdvisorHttpServer(
            KafkaStreams streams,
            AdvisorHealth health,
            InetSocketAddress bind,
            HostInfo self,
            Supplier<String> modelVersion,
            AdvisorMetrics metrics,
            String bearerToken) {
        this(streams, health, bind, self, modelVersion, metrics, bearerToken, null);
    }

    /** @param dashboard served at {@code /} when not null; this server closes it */
    public AdvisorHttpServer(
            KafkaStreams streams,
            AdvisorHealth health,
            InetSocketAddress bind,
            HostInfo self,
            Supplier<String> modelVersion,
            AdvisorMetrics metrics,
            String bearerToken,
            Dashboard dashboard) {
        this.dashboard = dashboard;
        this.streams = streams;
        this.health = health;
        this.bind = bind;
        this.self = self;
        this.modelVersion = modelVersion;
        this.bearerToken = bearerToken == null || bearerToken.isBlank() ? null : bearerToken;
        registry.config().meterFilter(new StoreMetricTags());
        this.streamsMetrics = new KafkaStreamsMetrics(streams);
        streamsMetrics.bindTo(registry);
        FunctionCounter.builder("lm_samples", metrics.samples, a -> a.sum())
                .description("VM samples processed")
                .register(registry);
        FunctionCounter.builder("lm_late_samples", metrics.lateSamples, a -> a.sum())
                .description("samples for already closed windows")
                .register(registry);
        FunctionCounter.builder("lm_profiles", metrics.profiles, a -> a.sum())
                .description("VM profiles emitted")
                .register(registry);
        FunctionCounter.builder("lm_recommendations", metrics.recommendations, a -> a.sum())
                .register(registry);
        FunctionCounter.builder("lm_risk_events", metrics.riskEvents, a -> a.sum())
                .register(registry);
        FunctionCounter.builder("lm_dead_letters", metrics, m -> DeadLetterHandler.deadLetterCount())
                .register(registry);
        FunctionCounter.builder("lm_scoring_seconds", metrics.scoringNanos, a -> a.sum() / 1e9)
                .description("time spent scoring profiles")
                .register(registry);
        Gauge.builder("lm_last_scoring_seconds", metrics.lastScoringNanos, a -> a.get() / 1e9)
                .register(registry);
        FunctionCounter.builder("lm_outcomes", metrics.outcomes, a -> a.sum())
                .description("migration outcomes read")
                .register(registry);
        FunctionCounter.builder("lm_outcomes_unmatched", metrics.outcomesUnmatched, a -> a.sum())
                .description("outcomes with no profile before their start")
                .register(registry);
        FunctionCounter.builder("lm_outcomes_rescored", metrics.outcomesRescored, a -> a.sum())
                .description("outcomes whose destination or bandwidth the advice did not cover")
                .register(registry);
        FunctionCounter.builder("lm_training_rows", metrics.trainingRows, a -> a.sum())
                .register(registry);
        EvaluationGauges.register(registry, metrics.evaluations);
        health.bindTo(registry);
        if (dashboard != null) {
            dashboard.bindTo(registry);
        }
        server = BoundedHttpServer.create(
                "advisor-http",
                bind.getHostString(),
                bind.getPort(),
                "lm.http.port (streams: --http-port)",
                LIMITS,
                this::routes);
    }

    /** Every route. The bearer token and the GET-only rule apply to all of them. */
    private void routes(JavalinConfig config) {
        var r = config.routes;
        r.before(ctx -> {
            if (dashboard != null && dashboard.isPublic(ctx)) {
                if (ctx.method() != HandlerType.GET && !dashboard.allowsPost(ctx)) {
                    send(ctx, 405, "application/json", "{\"error\":\"only GET\"}");
                    ctx.skipRemainingHandlers();
                }
            } else if (!authorised(ctx) && !(dashboard != null && dashboard.hasSession(ctx))) {
                if (dashboard != null && dashboard.redirectsToLogin(ctx)) {
                    ctx.redirect("/login", io.javalin.http.HttpStatus.SEE_OTHER);
                } else {
                    send(ctx, 401, "application/json", "{\"error\":\"missing or wrong bearer token\"}");
                }
                ctx.skipRemainingHandlers();
            } else if (ctx.method() != HandlerType.GET) {
                send(ctx, 405, "application/json", "{\"error\":\"only GET\"}");
                ctx.skipRemainingHandlers();
            }
        });
        r.get("/health", ctx -> health(ctx, true, true));
        r.get("/health/live", ctx -> health(ctx, true, false));
        r.get("/health/ready", ctx -> health(ctx, false, true));
        r.get("/metrics", ctx -> send(ctx, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape()));
        r.get("/evaluation", ctx -> evaluation(ctx, localOnly(ctx)));
        r.get("/hosts", ctx -> sendJson(ctx, 200, hosts()));
        r.get("/vms", ctx -> vmsWithRisk(ctx, ctx.queryParam("risk"), localOnly(ctx)));
        r.get("/vms/{id}", ctx -> vm(ctx, ctx.pathParam("id"), localOnly(ctx)));
        if (dashboard != null) {
            dashboard.routes(r, this::request);
        }
        r.error(404, ctx -> {
            if (ctx.result() == null || ctx.result().isEmpty()) {
                send(ctx, 404, "application/json", "{\"error\":\"unknown path\"}");
            }
        });
        r.exception(Exception.class, (e, ctx) -> {
            LOG.warn("HTTP {} failed: {}", ctx.path(), e.toString());
            send(ctx, 503, "application/json", "{\"error\":" + jsonString(String.valueOf(e.getMessage())) + "}");
        });
    }

    /** Starts listening; a port in use is one line naming the port and the setting that moves it. */
    public AdvisorHttpServer start() {
        server.start();
        if (dashboard != null) {
            dashboard.start();
        }
        LOG.info(
                "HTTP endpoints on {}:{} (advertised as {}:{})",
                bind.getHostString(),
                port(),
                self.host(),
                self.port());
        return this;
    }

    public int port() {
        return server.port();
    }

    private static boolean localOnly(Context ctx) {
        String q = ctx.queryString();
        return q != null && q.contains(LOCAL_ONLY);
    }

    private void health(Context ctx, boolean live, boolean ready) {
        ObjectNode n = health.json(live, ready);
        n.put("modelVersion", modelVersion.get());
        n.put("instance", self.host() + ":" + self.port());
        sendJson(ctx, "UP".equals(n.get("status").asText()) ? 200 : 503, n);
    }

    private static String jsonString(Object s) {
        try {
            return JSON.writeValueAsString(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private boolean authorised(Context ctx) {
        if (bearerToken == null) {
            return true;
        }
        String header = ctx.header("Authorization");
        byte[] given = header == null ? new byte[0] : header.getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(given, ("Bearer " + bearerToken).getBytes(StandardCharsets.UTF_8));
    }

    private <V> ReadOnlyKeyValueStore<String, V> store(String name) {
        return streams.store(
                StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<String, V>keyValueStore()));
    }

    private JsonNode hosts() {
        ArrayNode out = NODES.arrayNode();
        ReadOnlyKeyValueStore<String, HostSample> hosts = store(AdvisorTopology.HOST_STORE);
        try (KeyValueIterator<String, HostSample> it = hosts.all()) {
            while (it.hasNext()) {
                out.add(AvroJson.toJson(it.next().value));
            }
        }
        return out;
    }

    private void vm(Context ex, String vmId, boolean localOnly) throws IOException {
        KeyQueryMetadata owner =
                streams.queryMetadataForKey(AdvisorTopology.LATEST_RECOMMENDATION_STORE, vmId, new StringSerializer());
        if (owner == null || owner == KeyQueryMetadata.NOT_AVAILABLE) {
            send(ex, 503, "application/json", "{\"error\":\"state is not available yet (rebalancing)\"}");
            return;
        }
        if (!owner.activeHost().equals(self) && !localOnly) {
            forward(
                    ex,
                    owner.activeHost(),
                    "/vms/" + URLEncoder.encode(vmId, StandardCharsets.UTF_8) + "?" + LOCAL_ONLY);
            return;
        }
        VmProfile profile =
                this.<VmProfile>store(AdvisorTopology.LATEST_PROFILE_STORE).get(vmId);
        MigrationRecommendation rec = this.<MigrationRecommendation>store(AdvisorTopology.LATEST_RECOMMENDATION_STORE)
                .get(vmId);
        RiskState risks = this.<RiskState>store(AdvisorTopology.RISK_STORE).get(vmId);
        if (profile == null && rec == null && risks == null) {
            send(ex, 404, "application/json", "{\"error\":\"unknown VM\"}");
            return;
        }
        ObjectNode n = NODES.objectNode();
        n.put("vmId", vmId);
        n.set("profile", AvroJson.toJson(profile));
        n.set("recommendation", AvroJson.toJson(rec));
        n.set("openRisks", risksJson(risks));
        n.put("servedBy", self.host() + ":" + self.port());
        sendJson(ex, 200, n);
    }

    /**
     * Every evaluation cell's figures. One task aggregates them (the errors topic has one partition), so
     * one instance holds them all; a request that lands elsewhere is forwarded there.
     */
    private void evaluation(Context ex, boolean localOnly) throws IOException {
        KeyQueryMetadata owner = streams.queryMetadataForKey(
                EvaluationTopology.CELL_STORE, Cells.PRECOPY_RISK_CELL, new StringSerializer());
        if (owner == null || owner == KeyQueryMetadata.NOT_AVAILABLE) {
            send(ex, 503, "application/json", "{\"error\":\"state is not available yet (rebalancing)\"}");
            return;
        }
        if (!owner.activeHost().equals(self) && !localOnly) {
            forward(ex, owner.activeHost(), "/evaluation?" + LOCAL_ONLY);
            return;
        }
        ArrayNode cells = NODES.arrayNode();
        try (KeyValueIterator<String, CellAccumulator> it =
                this.<CellAccumulator>store(EvaluationTopology.CELL_STORE).all()) {
            while (it.hasNext()) {
                var kv = it.next();
                ObjectNode cell = (ObjectNode) AvroJson.toJson(kv.value.toEvaluation(kv.key));
                cell.put("cell", kv.key);
                cells.add(cell);
            }
        }
        ObjectNode n = NODES.objectNode();
        n.set("cells", cells);
        n.put("servedBy", self.host() + ":" + self.port());
        sendJson(ex, 200, n);
    }

    private static JsonNode risksJson(RiskState risks) {
        ObjectNode n = NODES.objectNode();
        if (risks != null) {
            for (Map.Entry<SlaRiskType, SlaRiskSeverity> e : risks.open().entrySet()) {
                n.put(e.getKey().name(), e.getValue().name());
            }
        }
        return n;
    }

    private void vmsWithRisk(Context ex, String riskParam, boolean localOnly) throws IOException {
        if (riskParam == null) {
            send(ex, 400, "application/json", "{\"error\":\"use /vms?risk=TYPE\"}");
            return;
        }
        SlaRiskType type;
        try {
            type = SlaRiskType.valueOf(riskParam.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            send(ex, 400, "application/json", "{\"error\":\"unknown risk type\"}");
            return;
        }
        ObjectNode found = NODES.objectNode();
        ReadOnlyKeyValueStore<String, RiskState> local = store(AdvisorTopology.RISK_STORE);
        try (KeyValueIterator<String, RiskState> it = local.all()) {
            while (it.hasNext()) {
                var kv = it.next();
                SlaRiskSeverity severity = kv.value.open().get(type);
                if (severity != null) {
                    found.put(kv.key, severity.name());
                }
            }
        }
        if (!localOnly) {
            for (StreamsMetadata other : streams.metadataForAllStreamsClients()) {
                if (!other.hostInfo().equals(self)) {
                    JsonNode remote =
                            JSON.readTree(fetch(other.hostInfo(), "/vms?risk=" + type.name() + "&" + LOCAL_ONLY));
                    remote.fields().forEachRemaining(e -> found.set(e.getKey(), e.getValue()));
                }
            }
        }
        sendJson(ex, 200, found);
    }

    /** Relays the owner's answer, status included. */
    private void forward(Context ex, HostInfo owner, String pathAndQuery) throws IOException {
        HttpResponse<String> r = request(owner, pathAndQuery);
        send(ex, r.statusCode(), "application/json", r.body());
    }

    private String fetch(HostInfo host, String pathAndQuery) throws IOException {
        HttpResponse<String> r = request(host, pathAndQuery);
        if (r.statusCode() != 200) {
            throw new IllegalStateException(
                    "instance " + host.host() + ":" + host.port() + " answered " + r.statusCode());
        }
        return r.body();
    }

    private HttpResponse<String> request(HostInfo host, String pathAndQuery) throws IOException {
        HttpRequest.Builder req = HttpRequest.newBuilder(
                        URI.create("http://" + host.host() + ":" + host.port() + pathAndQuery))
                .timeout(Duration.ofSeconds(5))
                .GET();
        if (bearerToken != null) {
            req.header("Authorization", "Bearer " + bearerToken);
        }
        try {
            return client.send(req.build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted asking " + host, e);
        }
    }

    private static void sendJson(Context ctx, int status, JsonNode body) {
        send(ctx, status, "application/json", jsonString(body));
    }

    private static void send(Context ctx, int status, String contentType, String body) {
        ctx.status(status).contentType(contentType).result(body);
    }

    @Override
    public void close() {
        if (dashboard != null) {
            dashboard.close();
        }
        server.close();
        streamsMetrics.close();
        registry.close();
    }
}
