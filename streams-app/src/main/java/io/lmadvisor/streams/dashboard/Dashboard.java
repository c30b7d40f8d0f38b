package io.lmadvisor.streams.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpStatus;
import io.javalin.http.SameSite;
import io.lmadvisor.avro.AlgorithmPrediction;
import io.lmadvisor.avro.HostSample;
import io.lmadvisor.avro.MigrationOutcome;
import io.lmadvisor.avro.MigrationRecommendation;
import io.lmadvisor.avro.ModelEvent;
import io.lmadvisor.avro.SlaPolicy;
import io.lmadvisor.avro.SlaRiskEvent;
import io.lmadvisor.avro.SlaRiskSeverity;
import io.lmadvisor.avro.SlaRiskType;
import io.lmadvisor.avro.VmProfile;
import io.lmadvisor.config.ClientSettings;
import io.lmadvisor.model.artifact.ModelArtifact;
import io.lmadvisor.serde.AvroJson;
import io.lmadvisor.serde.AvroSerdes;
import io.lmadvisor.streams.AdvisorTopology;
import io.lmadvisor.streams.evaluation.EvaluationTopology;
import io.lmadvisor.streams.evaluation.HistoryWindows;
import io.lmadvisor.streams.evaluation.VmHistory;
import io.lmadvisor.streams.model.ModelSource;
import io.lmadvisor.streams.recommend.HostState;
import io.lmadvisor.streams.recommend.SlaPolicies;
import io.lmadvisor.streams.risk.RiskState;
import io.lmadvisor.topics.TopicSet;
import io.lmadvisor.topics.Topics;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The fleet dashboard on the advisor's HTTP server: the page at {@code /}, a login form that sets an HttpOnly,
 * SameSite=Strict session cookie (the bearer token never goes in a URL), small JSON endpoints under
 * {@code /dashboard/api/} over the interactive queries, and a server-sent event stream fed by {@link LiveFeed}.
 * <p>The session cookie is an HMAC of the bearer token, so every instance accepts it and changing the
 * token logs everyone out. Without a token the page is open, as the API is.
 */
public final class Dashboard implements AutoCloseable {
    public static final String COOKIE = "lm_session";
    static final String LOCAL_ONLY = "local=1";
    private static final int COOKIE_MAX_AGE_S = 12 * 3600;
    /** Live browsers per instance: each holds one writer thread. */
    static final int MAX_LIVE_CLIENTS = 16;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Pattern STATIC_NAME = Pattern.compile("[a-z0-9-]+\\.(js|css|html)");
    private static final String UPLOT = "META-INF/resources/webjars/uplot/" + uplotVersion() + "/dist/";
    private static final Map<String, String> LIBRARIES = Map.of(
            "uplot.js", UPLOT + "uPlot.iife.min.js",
            "uplot.css", UPLOT + "uPlot.min.css");

    /** How the dashboard asks another instance (with the bearer token): relays its status and body. */
    @FunctionalInterface
    public interface Peers {
        HttpResponse<String> get(HostInfo host, String pathAndQuery) throws IOException;
    }

    private final KafkaStreams streams;
    private final HostInfo self;
    private final String sessionValue;
    private final Supplier<String> modelVersion;
    private final Supplier<?> engine;
    private final LiveFeed feed;
    private final SseHub hub;
    private final Map<String, byte[]> resources = new ConcurrentHashMap<>();

    /**
     * @param engine the serving model; a {@link ModelSource} also gives provenance
     * @param feed   started by {@link #start()}, closed by {@link #close()}
     */
    public Dashboard(
            KafkaStreams streams,
            HostInfo self,
            String bearerToken,
            Supplier<String> modelVersion,
            Supplier<?> engine,
            LiveFeed feed,
            SseHub hub) {
        this.streams = streams;
        this.self = self;
        this.sessionValue = bearerToken == null || bearerToken.isBlank() ? null : sessionValue(bearerToken);
        this.modelVersion = modelVersion;
        this.engine = engine;
        this.feed = feed;
        this.hub = hub;
    }

    /**
     * The dashboard of one advisor instance: its live feed reads {@code topics}' outputs (and
     * {@code lm.model-events}) with the instance's connection and schema-registry settings.
     */
    public static Dashboard create(
            KafkaStreams streams,
            HostInfo self,
            String bearerToken,
            Supplier<String> modelVersion,
            Supplier<?> engine,
            java.util.Properties props,
            TopicSet topics) {
        Map<String, Object> config = new HashMap<>();
        props.forEach((k, v) -> config.put(k.toString(), v));
        LiveFeed.Source source = new LiveFeed.Source(
                topics.of(Topics.MIGRATION_RECOMMENDATIONS),
                topics.of(Topics.SLA_RISK_EVENTS),
                Topics.MODEL_EVENTS,
                topics.of(Topics.MIGRATION_OUTCOMES),
                AvroSerdes.of(MigrationRecommendation.class, config, false).deserializer(),
                AvroSerdes.of(SlaRiskEvent.class, config, false).deserializer(),
                AvroSerdes.of(ModelEvent.class, config, false).deserializer(),
                AvroSerdes.of(MigrationOutcome.class, config, false).deserializer());
        String clientId =
                props.getProperty("application.id", "lm-advisor") + "-dashboard-" + self.host() + "-" + self.port();
        SseHub hub = new SseHub(MAX_LIVE_CLIENTS, LiveFeed.FEED_ITEMS * 2);
        return new Dashboard(
                streams,
                self,
                bearerToken,
                modelVersion,
                engine,
                new LiveFeed(ClientSettings.kafkaConnection(props), clientId, source, hub),
                hub);
    }

    public Dashboard start() {
        feed.start();
        return this;
    }

    /** Live-feed figures on the advisor's {@code /metrics}: model events by decision, feed events, browsers. */
    public void bindTo(io.micrometer.core.instrument.MeterRegistry registry) {
        for (io.lmadvisor.avro.ModelDecision d : io.lmadvisor.avro.ModelDecision.values()) {
            io.micrometer.core.instrument.FunctionCounter.builder("lm_model_events", feed, f -> f.modelEvents(d))
                    .description("model events read from lm.model-events (continuous calibration)")
                    .tag("decision", d.name())
                    .register(registry);
        }
        io.micrometer.core.instrument.FunctionCounter.builder("lm_dashboard_feed_events", feed, LiveFeed::events)
                .description("risk, recommendation and model events pushed to the dashboard's live feed")
                .register(registry);
        io.micrometer.core.instrument.Gauge.builder("lm_dashboard_live_clients", hub, SseHub::clients)
                .description("browsers on the live feed")
                .register(registry);
        io.micrometer.core.instrument.FunctionCounter.builder("lm_dashboard_slow_clients_dropped", hub, SseHub::dropped)
                .description("browsers dropped from the live feed for reading too slowly")
                .register(registry);
    }

    /** The cookie's value for a token: HMAC-SHA256, never the token itself. */
    static String sessionValue(String token) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(token.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of()
                    .formatHex(mac.doFinal("lm-advisor dashboard session v1".getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    }

    /** Login, logout, the page's own scripts and styles and the chart library: no data, no token needed. */
    public boolean isPublic(Context ctx) {
        String p = ctx.path();
        return p.equals("/login")
                || p.equals("/logout")
                || p.startsWith("/dashboard/static/")
                || p.startsWith("/dashboard/lib/");
    }

    /** Requests that may be POSTs (the rest of the API is GET only). */
    public boolean allowsPost(Context ctx) {
        return ctx.path().equals("/login") || ctx.path().equals("/logout");
    }

    /** True when the request carries the session cookie (constant-time comparison). */
    public boolean hasSession(Context ctx) {
        if (sessionValue == null) {
            return true;
        }
        String given = ctx.cookie(COOKIE);
        return given != null
                && MessageDigest.isEqual(
                        given.getBytes(StandardCharsets.UTF_8), sessionValue.getBytes(StandardCharsets.UTF_8));
    }

    /** An unauthorised browser asking for the page goes to the login form; data requests get 401. */
    public boolean redirectsToLogin(Context ctx) {
        return ctx.method() == HandlerType.GET && ctx.path().equals("/");
    }

    public void routes(RoutesConfig r, Peers peers) {
        r.get("/", ctx -> sendResource(ctx, "index.html"));
        r.get("/login", ctx -> {
            if (sessionValue == null || hasSession(ctx)) {
                ctx.redirect("/", HttpStatus.SEE_OTHER);
            } else {
                login(ctx, 200, null);
            }
        });
        r.post("/login", this::postLogin);
        r.post("/logout", ctx -> {
            ctx.cookie(cookie(ctx, "", 0));
            ctx.redirect("/login", HttpStatus.SEE_OTHER);
        });
        r.get("/dashboard/static/{file}", ctx -> sendResource(ctx, ctx.pathParam("file")));
        r.get("/dashboard/lib/{file}", ctx -> {
            String res = LIBRARIES.get(ctx.pathParam("file"));
            if (res == null) {
                ctx.status(404).contentType("application/json").result("{\"error\":\"unknown library\"}");
            } else {
                send(ctx, res, ctx.pathParam("file"));
            }
        });
        r.get(
                "/dashboard/api/fleet",
                ctx -> json(
                        ctx,
                        200,
                        fleet(ctx.queryString() != null && ctx.queryString().contains(LOCAL_ONLY), peers)));
        r.get("/dashboard/api/vms/{id}", ctx -> vm(ctx, ctx.pathParam("id"), peers));
        r.get("/dashboard/api/model", ctx -> json(ctx, 200, model()));
        r.sse("/dashboard/events", client -> hub.accept(client, feed.recentFeed()));
    }

    private void postLogin(Context ctx) {
        if (sessionValue == null) {
            ctx.redirect("/", HttpStatus.SEE_OTHER);
            return;
        }
        String token = ctx.formParam("token");
        String given = token == null || token.isEmpty() ? "" : sessionValue(token);
        if (MessageDigest.isEqual(
                given.getBytes(StandardCharsets.UTF_8), sessionValue.getBytes(StandardCharsets.UTF_8))) {
            ctx.cookie(cookie(ctx, sessionValue, COOKIE_MAX_AGE_S));
            ctx.redirect("/", HttpStatus.SEE_OTHER);
        } else {
            login(ctx, 401, "Wrong token: use the value of lm.http.token (streams: --http-token).");
        }
    }

    private static Cookie cookie(Context ctx, String value, int maxAgeS) {
        boolean https =
                "https".equalsIgnoreCase(ctx.scheme()) || "https".equalsIgnoreCase(ctx.header("X-Forwarded-Proto"));
        return new Cookie(COOKIE, value, "/", maxAgeS, https, true, null, SameSite.STRICT);
    }

    private void login(Context ctx, int status, String error) {
        String page = new String(resource("dashboard/login.html"), StandardCharsets.UTF_8)
                .replace("{{error}}", error == null ? "" : "<p class=\"error\" role=\"alert\">" + error + "</p>");
        ctx.status(status)
                .contentType("text/html; charset=utf-8")
                .header("Cache-Control", "no-store")
                .result(page);
    }

    private void sendResource(Context ctx, String name) {
        if (!STATIC_NAME.matcher(name).matches() || name.equals("login.html")) {
            ctx.status(404).contentType("application/json").result("{\"error\":\"unknown file\"}");
            return;
        }
        send(ctx, "dashboard/" + name, name);
    }

    private void send(Context ctx, String classpath, String name) {
        byte[] body = resource(classpath);
        if (body == null) {
            ctx.status(404).contentType("application/json").result("{\"error\":\"unknown file\"}");
            return;
        }
        String type = name.endsWith(".js")
                ? "text/javascript; charset=utf-8"
                : name.endsWith(".css") ? "text/css; charset=utf-8" : "text/html; charset=utf-8";
        ctx.status(200)
                .contentType(type)
                .header("Cache-Control", name.endsWith(".html") ? "no-store" : "max-age=300")
                .header("X-Content-Type-Options", "nosniff")
                .result(body);
    }

    /** A classpath resource, cached; null when absent. */
    private byte[] resource(String classpath) {
        byte[] cached = resources.get(classpath);
        if (cached != null) {
            return cached;
        }
        try (InputStream in = Dashboard.class.getClassLoader().getResourceAsStream(classpath)) {
            if (in == null) {
                return null;
            }
            byte[] body = in.readAllBytes();
            resources.put(classpath, body);
            return body;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + classpath + " from the jar: " + e.getMessage(), e);
        }
    }

    private static String uplotVersion() {
        try (InputStream in = Dashboard.class
                .getClassLoader()
                .getResourceAsStream("META-INF/maven/org.webjars.npm/uplot/pom.properties")) {
            java.util.Properties p = new java.util.Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "1.6.30");
        } catch (IOException e) {
            return "1.6.30";
        }
    }

    private <V> ReadOnlyKeyValueStore<String, V> store(String name) {
        return streams.store(
                StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<String, V>keyValueStore()));
    }

    /** Hosts with headroom, and one compact row per VM: [vmId, hostId, algorithm, worstRisk, severity, openRisks, vmSizeMb, pdrPagesPerSec]. */
    ObjectNode fleet(boolean localOnly, Peers peers) throws IOException {
        ObjectNode out = NODES.objectNode();
        ArrayNode vms = out.putArray("vms");
        Map<String, VmProfile> profiles = new HashMap<>();
        try (KeyValueIterator<String, VmProfile> it =
                this.<VmProfile>store(AdvisorTopology.LATEST_PROFILE_STORE).all()) {
            it.forEachRemaining(kv -> profiles.put(kv.key, kv.value));
        }
        Map<String, MigrationRecommendation> recs = new HashMap<>();
        try (KeyValueIterator<String, MigrationRecommendation> it = this.<MigrationRecommendation>store(
                        AdvisorTopology.LATEST_RECOMMENDATION_STORE)
                .all()) {
            it.forEachRemaining(kv -> recs.put(kv.key, kv.value));
        }
        Map<String, RiskState> risks = new HashMap<>();
        try (KeyValueIterator<String, RiskState> it =
                this.<RiskState>store(AdvisorTopology.RISK_STORE).all()) {
            it.forEachRemaining(kv -> risks.put(kv.key, kv.value));
        }
        Set<String> ids = new TreeSet<>(profiles.keySet());
        ids.addAll(recs.keySet());
        ids.addAll(risks.keySet());
        for (String id : ids) {
            VmProfile p = profiles.get(id);
            MigrationRecommendation rec = recs.get(id);
            RiskState rs = risks.get(id);
            ArrayNode row = vms.addArray();
            row.add(id);
            row.add(p != null ? p.getHostId() : rec != null ? rec.getSourceHostId() : rs.hostId());
            row.add(
                    rec == null || rec.getAlgorithm() == null
                            ? null
                            : rec.getAlgorithm().name());
            Map.Entry<SlaRiskType, SlaRiskSeverity> worst = rs == null ? null : worst(rs.open());
            row.add(worst == null ? null : worst.getKey().name());
            row.add(worst == null ? null : worst.getValue().name());
            row.add(
                    rs == null
                            ? ""
                            : String.join(
                                    ",",
                                    rs.open().keySet().stream()
                                            .map(Enum::name)
                                            .sorted()
                                            .toList()));
            row.add(p == null ? null : p.getVmSizeMb());
            row.add(p == null ? null : p.getPdrPagesPerSec());
        }
        if (!localOnly) {
            for (StreamsMetadata other : streams.metadataForAllStreamsClients()) {
                if (!other.hostInfo().equals(self)) {
                    HttpResponse<String> r = peers.get(other.hostInfo(), "/dashboard/api/fleet?" + LOCAL_ONLY);
                    if (r.statusCode() != 200) {
                        throw new IllegalStateException(
                                "instance " + other.hostInfo().host() + ":"
                                        + other.hostInfo().port() + " answered " + r.statusCode());
                    }
                    JSON.readTree(r.body()).path("vms").forEach(vms::add);
                }
            }
            out.set("hosts", hosts());
            out.put("modelVersion", modelVersion.get());
        }
        out.put("servedBy", self.host() + ":" + self.port());
        return out;
    }

    /** The most severe open risk; ties go to the earlier risk type. */
    static Map.Entry<SlaRiskType, SlaRiskSeverity> worst(Map<SlaRiskType, SlaRiskSeverity> open) {
        return open.entrySet().stream()
                .max(Comparator.<Map.Entry<SlaRiskType, SlaRiskSeverity>>comparingInt(
                                e -> e.getValue().ordinal())
                        .thenComparing(e -> -e.getKey().ordinal()))
                .orElse(null);
    }

    private ArrayNode hosts() {
        ArrayNode out = NODES.arrayNode();
        try (KeyValueIterator<String, HostSample> it =
                this.<HostSample>store(AdvisorTopology.HOST_STORE).all()) {
            it.forEachRemaining(kv -> out.add(AvroJson.toJson(kv.value)));
        }
        return out;
    }

    /** Profile history, SLA limits, destination candidates, copyable settings and past outcomes; on the VM's owner. */
    private void vm(Context ctx, String vmId, Peers peers) throws IOException {
        KeyQueryMetadata owner =
                streams.queryMetadataForKey(EvaluationTopology.HISTORY_STORE, vmId, new StringSerializer());
        if (owner == null || owner == KeyQueryMetadata.NOT_AVAILABLE) {
            ctx.status(503)
                    .contentType("application/json")
                    .result("{\"error\":\"state is not available yet (rebalancing)\"}");
            return;
        }
        boolean localOnly = ctx.queryString() != null && ctx.queryString().contains(LOCAL_ONLY);
        if (!owner.activeHost().equals(self) && !localOnly) {
            HttpResponse<String> r = peers.get(
                    owner.activeHost(),
                    "/dashboard/api/vms/" + URLEncoder.encode(vmId, StandardCharsets.UTF_8) + "?" + LOCAL_ONLY);
            ctx.status(r.statusCode()).contentType("application/json").result(r.body());
            return;
        }
        VmProfile profile =
                this.<VmProfile>store(AdvisorTopology.LATEST_PROFILE_STORE).get(vmId);
        MigrationRecommendation rec = this.<MigrationRecommendation>store(AdvisorTopology.LATEST_RECOMMENDATION_STORE)
                .get(vmId);
        VmHistory history = HistoryWindows.read(this.<VmHistory.Entry>store(EvaluationTopology.HISTORY_STORE), vmId);
        if (profile == null && rec == null && history.entries().isEmpty()) {
            ctx.status(404).contentType("application/json").result("{\"error\":\"unknown VM\"}");
            return;
        }
        json(ctx, 200, vmDetails(vmId, profile, rec, history));
    }

    ObjectNode vmDetails(String vmId, VmProfile profile, MigrationRecommendation rec, VmHistory history) {
        ObjectNode n = NODES.objectNode();
        n.put("vmId", vmId);
        ArrayNode h = n.putArray("history");
        for (VmHistory.Entry e : history.entries()) {
            if (e.profile() != null) {
                ObjectNode row = h.addObject();
                row.put("windowEndMs", e.windowEndMs());
                row.put("pdrPagesPerSec", e.profile().getPdrPagesPerSec());
                row.put("wssPages", e.profile().getWssPages());
                row.put("cpuUtilPercent", e.profile().getCpuUtilPercent());
            }
        }
        // Two point lookups (the VM's key, then the default), not a copy of every policy per request.
        ReadOnlyKeyValueStore<String, SlaPolicy> policies = store(AdvisorTopology.POLICY_STORE);
        n.set("sla", AvroJson.toJson(SlaPolicies.forVm(vmId, policies::get)));
        n.set("candidates", candidates(profile, rec));
        if (rec != null && rec.getSettings() != null) {
            ObjectNode s = n.putObject("settings");
            s.put("qmp", SettingsText.qmp(rec.getSettings(), rec.getDestinationHostId()));
            s.put("virsh", SettingsText.virsh(rec.getSettings(), vmId, rec.getDestinationHostId()));
            s.put("kubevirt", SettingsText.kubevirt(rec.getSettings(), vmId));
        }
        n.set("outcomes", outcomes(feed.outcomes(vmId), history));
        n.put("servedBy", self.host() + ":" + self.port());
        return n;
    }

    /** Other hosts as the engine ranks them: those with room for the VM first, by spare capacity. */
    private ArrayNode candidates(VmProfile profile, MigrationRecommendation rec) {
        ArrayNode out = NODES.arrayNode();
        if (profile == null) {
            return out;
        }
        List<HostState> hosts = new ArrayList<>();
        try (KeyValueIterator<String, HostSample> it =
                this.<HostSample>store(AdvisorTopology.HOST_STORE).all()) {
            it.forEachRemaining(kv -> hosts.add(HostState.of(kv.value)));
        }
        double size = profile.getVmSizeMb();
        double cpu = profile.getCpuUtilPercent();
        hosts.removeIf(hs -> hs.hostId().equals(profile.getHostId()));
        hosts.sort(Comparator.comparing((HostState hs) -> !hs.fits(size, cpu))
                .thenComparing(Comparator.comparingDouble((HostState hs) -> hs.spareCapacityFor(size, cpu))
                        .reversed())
                .thenComparing(HostState::hostId));
        String chosen = rec == null ? null : rec.getDestinationHostId();
        for (HostState hs : hosts.subList(0, Math.min(hosts.size(), 10))) {
            ObjectNode c = out.addObject();
            c.put("hostId", hs.hostId());
            c.put("fits", hs.fits(size, cpu));
            c.put("spareRatio", hs.spareCapacityFor(size, cpu));
            c.put("memAvailMb", hs.memAvailMb());
            c.put("cpuAvailPercent", hs.cpuAvailPercent());
            c.put("linkAvailMBps", hs.migrationLinkAvailMBps());
            c.put("chosen", Objects.equals(chosen, hs.hostId()));
        }
        return out;
    }

    /** Each outcome next to what the advice current at its start predicted for its algorithm, while still in history. */
    static ArrayNode outcomes(List<MigrationOutcome> outcomes, VmHistory history) {
        ArrayNode out = NODES.arrayNode();
        for (MigrationOutcome o : outcomes) {
            ObjectNode n = out.addObject();
            n.put("migrationId", o.getMigrationId());
            n.put("algorithm", o.getAlgorithm().name());
            n.put("status", o.getStatus().name());
            n.put("startMs", o.getStartTime().toEpochMilli());
            n.put("destinationHostId", o.getDestinationHostId());
            ObjectNode actual = n.putObject("actual");
            putNumber(actual, "totalTimeMs", o.getTotalTimeMs());
            putNumber(actual, "downtimeMs", o.getDowntimeMs());
            putNumber(actual, "transferredBytes", o.getTransferredBytes());
            putNumber(actual, "performanceDegradation", o.getPerformanceDegradation());
            AlgorithmPrediction p = predictionAt(history, o);
            if (p != null) {
                ObjectNode pred = n.putObject("predicted");
                pred.put("totalTimeMs", p.getTotalTimeMs());
                pred.put("downtimeMs", p.getDowntimeMs());
                pred.put("transferredBytes", p.getTransferredBytes());
                pred.put("performanceDegradation", p.getPerformanceDegradation());
            } else {
                n.putNull("predicted");
            }
        }
        return out;
    }

    /** The advice current at the outcome's start (as the evaluation matches it), for its algorithm. */
    private static AlgorithmPrediction predictionAt(VmHistory history, MigrationOutcome o) {
        VmHistory.Entry e = history.currentAt(o.getStartTime().toEpochMilli());
        if (e == null || e.recommendation() == null) {
            return null;
        }
        return e.recommendation().getPredictions().stream()
                .filter(p -> p.getAlgorithm() == o.getAlgorithm())
                .findFirst()
                .orElse(null);
    }

    private static void putNumber(ObjectNode n, String field, Number v) {
        if (v == null) {
            n.putNull(field);
        } else {
            n.put(field, v.doubleValue());
        }
    }

    ObjectNode model() {
        ObjectNode n = NODES.objectNode();
        n.put("modelVersion", modelVersion.get());
        if (engine instanceof ModelSource source && source.artifact() != null) {
            ModelArtifact a = source.artifact();
            ObjectNode p = n.putObject("provenance");
            p.put("versionId", a.versionId());
            p.put("learner", a.learnerName());
            p.put("trainingFingerprint", a.trainingFingerprint());
            p.put("createdAt", String.valueOf(a.createdAt()));
            if (a.trainingRows().isPresent()) {
                p.put("trainingRows", a.trainingRows().getAsInt());
            }
            ObjectNode hp = p.putObject("hyperParameters");
            a.hyperParameters().forEach(hp::put);
            ObjectNode validation = p.putObject("validation");
            a.validation().forEach(validation::put);
        }
        ArrayNode drift = n.putArray("driftEvents");
        feed.driftEvents().forEach(drift::add);
        ArrayNode events = n.putArray("modelEvents");
        feed.modelEvents().forEach(events::add);
        n.put("liveClients", hub.clients());
        return n;
    }

    private static void json(Context ctx, int status, JsonNode body) {
        ctx.status(status).contentType("application/json").result(AvroJson.write(body));
    }

    @Override
    public void close() {
        hub.close();
        feed.close();
    }
}
