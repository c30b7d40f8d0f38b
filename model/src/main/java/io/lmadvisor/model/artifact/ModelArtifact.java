package io.lmadvisor.model.artifact;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.oracle.labs.mlrg.olcut.provenance.ProvenanceUtil;
import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.Target;
import io.lmadvisor.model.features.FeatureSchema;
import io.lmadvisor.model.learn.AnalyticLearner;
import io.lmadvisor.model.learn.AnalyticModel;
import io.lmadvisor.model.learn.AnalyticOffset;
import io.lmadvisor.model.learn.CalibratedModel;
import io.lmadvisor.model.learn.Calibration;
import io.lmadvisor.model.learn.CellFormula;
import io.lmadvisor.model.learn.CellIndex;
import io.lmadvisor.model.learn.GbtParams;
import io.lmadvisor.model.learn.GradientBoostedLearner;
import io.lmadvisor.model.learn.GradientBoostedModel;
import io.lmadvisor.model.learn.MigrationModel;
import io.lmadvisor.model.learn.SvrBag;
import io.lmadvisor.model.learn.SvrBaggingLearner;
import io.lmadvisor.model.learn.SvrBaggingModel;
import io.lmadvisor.model.learn.SvrEstimator;
import io.lmadvisor.model.learn.SvrParams;
import io.lmadvisor.model.learn.TargetSpace;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.tribuo.Model;
import org.tribuo.common.xgboost.XGBoostModel;
import org.tribuo.protos.core.ModelProto;
import org.tribuo.regression.Regressor;
import org.tribuo.regression.libsvm.LibSVMRegressionModel;

/**
 * A trained model in one file: a zip with {@code manifest.json} (learner, hyper-parameters, feature
 * schema, training-data fingerprint, per-cell Tribuo provenance, validation figures, creation time,
 * version id) and one Tribuo protobuf model per (algorithm, target) — per bagged estimator for
 * svr-bagging — under {@code cells/}. Loading rebuilds the model; gbt trees are recompiled.
 * <p>
 * <b>Security: ONLY TRUSTED FILES MAY BE LOADED.</b> Tribuo protobufs name the classes to
 * instantiate and XGBoost parses native model bytes; a crafted file can run code or crash the JVM.
 * Load only artifacts you produced or received through a trusted channel.
 */
public final class ModelArtifact {
    public static final String FORMAT = "lm-advisor-model/1";
    /**
     * The format of a calibrated model with cell formulas: a reader of {@link #FORMAT} only would serve the prior
     * in those cells, so it must refuse the file instead.
     */
    public static final String FORMAT_FORMULAS = "lm-advisor-model/2";

    static final String MANIFEST = "manifest.json";
    /** A calibrated model's prior, a whole artifact inside this one. */
    static final String PRIOR = "prior.lmm";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** What the artifact records about one (algorithm, target) cell. */
    public record CellInfo(Algorithm algorithm, Target target, String transform, String provenance, int tribuoModels) {}

    private final MigrationModel model;
    private final String learnerName;
    private final String trainingFingerprint;
    private final Map<String, String> hyperParameters;
    private final Map<String, Double> validation;
    private final Instant createdAt;
    private final List<CellInfo> cells;
    private final String versionId;
    /** Encoded form, kept so that save() writes exactly what the version id was computed over. */
    private final Encoded encoded;

    private ModelArtifact(
            MigrationModel model,
            String trainingFingerprint,
            Map<String, String> hyperParameters,
            Map<String, Double> validation,
            Instant createdAt,
            List<CellInfo> cells,
            Encoded encoded) {
        this.model = model;
        this.learnerName = model.learnerName();
        this.trainingFingerprint = trainingFingerprint;
        this.hyperParameters = Collections.unmodifiableMap(new LinkedHashMap<>(hyperParameters));
        this.validation = Collections.unmodifiableMap(new LinkedHashMap<>(validation));
        this.createdAt = createdAt;
        this.cells = List.copyOf(cells);
        this.encoded = encoded;
        this.versionId = learnerName + "-" + encoded.contentHash.substring(0, 12);
    }

    /**
     * Packages a trained model.
     *
     * @param trainingFingerprint SHA-256 of the training records (DatasetFingerprint.of)
     * @param validation          optional figures, e.g. {@code "holdout.gMRE.PRE.TT" -> 0.031}
     */
    public static ModelArtifact of(
            MigrationModel model, String trainingFingerprint, Map<String, Double> validation, Instant createdAt) {
        Encoded enc = encode(model, trainingFingerprint, validation);
        return new ModelArtifact(
                model, trainingFingerprint, enc.hyperParameters, validation, createdAt, enc.cells, enc);
    }

    public MigrationModel model() {
        return model;
    }

    public FeatureSchema schema() {
        return model.schema();
    }

    public String learnerName() {
        return learnerName;
    }

    public String trainingFingerprint() {
        return trainingFingerprint;
    }

    public Map<String, String> hyperParameters() {
        return hyperParameters;
    }

    public Map<String, Double> validation() {
        return validation;
    }

    public Instant createdAt() {
        return createdAt;
    }

    /** learner name + first 12 hex digits of a SHA-256 over the content (not the creation time). */
    public String versionId() {
        return versionId;
    }

    public List<CellInfo> cells() {
        return cells;
    }

    /** Writes the artifact atomically (temp file, then move). */
    public void save(Path path) throws IOException {
        Path dir = path.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        Path tmp = Files.createTempFile(dir, path.getFileName().toString(), ".tmp");
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                write(out);
            }
            Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    public void write(OutputStream out) throws IOException {
        ObjectNode manifest = encoded.manifest.deepCopy();
        manifest.put("versionId", versionId);
        manifest.put("createdAt", createdAt.toString());
        ZipOutputStream zip = new ZipOutputStream(out);
        zip.putNextEntry(new ZipEntry(MANIFEST));
        zip.write(JSON.writeValueAsBytes(manifest));
        zip.closeEntry();
        for (Map.Entry<String, byte[]> e : encoded.files.entrySet()) {
            zip.putNextEntry(new ZipEntry(e.getKey()));
            zip.write(e.getValue());
            zip.closeEntry();
        }
        zip.finish();
    }

    /**
     * Bounds on what loading accepts, so that a bad file is refused instead of filling the heap.
     *
     * @param maxUncompressedBytes most bytes all entries may inflate to, counted while inflating
     * @param maxEntries           most zip entries
     * @param minTrainingRows      fewest rows any trained cell must have been trained on (0 = no minimum)
     */
    public record LoadLimits(long maxUncompressedBytes, int maxEntries, int minTrainingRows) {
        /**
         * 256 MiB inflated, 10,000 entries (the bundled model is 3.5 MB in 31 entries), no minimum of
         * rows: inspecting a small model is fine; serving sets its own minimum.
         */
        public static final LoadLimits DEFAULTS = new LoadLimits(256L << 20, 10_000, 0);

        public LoadLimits withMinTrainingRows(int rows) {
            return new LoadLimits(maxUncompressedBytes, maxEntries, rows);
        }

        public LoadLimits {
            if (maxUncompressedBytes <= 0 || maxEntries <= 0 || minTrainingRows < 0) {
                throw new IllegalArgumentException("model load limits must be positive: " + maxUncompressedBytes
                        + " bytes, " + maxEntries + " entries, " + minTrainingRows + " rows");
            }
        }
    }

    /** Which {@link LoadLimits} bound refused a model file. */
    public enum Limit {
        UNCOMPRESSED_BYTES,
        ENTRIES,
        TRAINING_ROWS
    }

    /** A model file refused by one of the {@link LoadLimits}. */
    public static final class LimitExceededException extends IOException {
        private final Limit limit;

        public LimitExceededException(Limit limit, String message) {
            super(message);
            this.limit = limit;
        }

        public Limit limit() {
            return limit;
        }
    }

    /** Loads an artifact file within the default limits. ONLY TRUSTED FILES MAY BE LOADED (see class comment). */
    public static ModelArtifact load(Path path) throws IOException {
        return load(path, LoadLimits.DEFAULTS);
    }

    /**
     * Loads an artifact file; every refusal is an IOException whose message names the file.
     * ONLY TRUSTED FILES MAY BE LOADED (see class comment).
     */
    public static ModelArtifact load(Path path, LoadLimits limits) throws IOException {
        if (Files.isDirectory(path)) {
            throw new IOException("model file " + path + " is a directory, not a model file");
        }
        try (InputStream in = Files.newInputStream(path)) {
            return load(in, limits);
        } catch (LimitExceededException e) {
            throw new LimitExceededException(e.limit(), "model file " + path + " " + e.getMessage());
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IOException("model file " + path + " does not exist", e);
        } catch (java.nio.file.AccessDeniedException e) {
            throw new IOException("model file " + path + " cannot be read (permission denied)", e);
        } catch (IOException | RuntimeException e) {
            throw new IOException("model file " + path + " is not a usable model: " + e.getMessage(), e);
        }
    }

    /** Loads a class-path resource, e.g. a model bundled in a jar. ONLY TRUSTED FILES MAY BE LOADED. */
    public static ModelArtifact loadResource(String resource) throws IOException {
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        if (cl == null) {
            cl = ModelArtifact.class.getClassLoader();
        }
        // Class loaders name resources without a leading slash.
        try (InputStream in = cl.getResourceAsStream(resource.startsWith("/") ? resource.substring(1) : resource)) {
            if (in == null) {
                throw new IOException("no class-path resource " + resource);
            }
            return load(in, LoadLimits.DEFAULTS);
        }
    }

    /** Loads from a stream (not closed) within the default limits. ONLY TRUSTED FILES MAY BE LOADED. */
    public static ModelArtifact load(InputStream in) throws IOException {
        return load(in, LoadLimits.DEFAULTS);
    }

    /** Loads from a stream (not closed). ONLY TRUSTED FILES MAY BE LOADED (see class comment). */
    public static ModelArtifact load(InputStream in, LoadLimits limits) throws IOException {
        Map<String, byte[]> entries = readEntries(in, limits);
        byte[] mf = entries.remove(MANIFEST);
        if (mf == null) {
            throw new IOException("not a model artifact: no " + MANIFEST);
        }
        JsonNode m = JSON.readTree(mf);
        if (!FORMAT.equals(m.path("format").asText())
                && !FORMAT_FORMULAS.equals(m.path("format").asText())) {
            throw new IOException("unsupported artifact format '"
                    + m.path("format").asText() + "', expected " + FORMAT + " or " + FORMAT_FORMULAS);
        }
        if (m.path("cells").isEmpty()) {
            throw new IOException("has no cells: it cannot predict any (algorithm, target)");
        }
        FeatureSchema schema = readSchema(m.path("schema"));
        Map<String, String> hp = new LinkedHashMap<>();
        m.path("hyperParameters")
                .properties()
                .forEach(f -> hp.put(f.getKey(), f.getValue().asText()));
        String learner = m.path("learner").asText();
        MigrationModel model;
        switch (learner) {
            case GradientBoostedLearner.NAME:
                model = decodeGbt(m, schema, hp, entries);
                break;
            case SvrBaggingLearner.NAME:
                model = decodeSvr(m, schema, hp, entries);
                break;
            case AnalyticLearner.NAME:
                model = decodeAnalytic(m, schema);
                break;
            case CalibratedModel.NAME:
                model = decodeCalibrated(m, schema, hp, entries);
                break;
            default:
                throw new IOException("unknown learner '" + learner + "' in artifact");
        }
        Map<String, Double> validation = new LinkedHashMap<>();
        m.path("validation")
                .properties()
                .forEach(f -> validation.put(f.getKey(), f.getValue().asDouble()));
        // The version id is checked against the bytes as stored: re-serializing a loaded model need not
        // reproduce them exactly, so the loaded artifact keeps (and re-saves) the original content.
        Encoded fresh = encode(model, m.path("trainingFingerprint").asText(), validation);
        ObjectNode stored = ((ObjectNode) m).deepCopy();
        String recorded = stored.path("versionId").asText();
        Instant createdAt = Instant.parse(stored.path("createdAt").asText());
        stored.remove("versionId");
        stored.remove("createdAt");
        Encoded original = new Encoded(stored, entries, fresh.cells, fresh.hyperParameters);
        ModelArtifact a = new ModelArtifact(
                model,
                m.path("trainingFingerprint").asText(),
                original.hyperParameters,
                validation,
                createdAt,
                original.cells,
                original);
        if (!recorded.equals(a.versionId)) {
            throw new IOException(
                    "artifact content does not match its version id " + recorded + " (got " + a.versionId + ")");
        }
        OptionalInt rows = a.trainingRows();
        if (rows.isPresent() && rows.getAsInt() < limits.minTrainingRows()) {
            throw new LimitExceededException(
                    Limit.TRAINING_ROWS,
                    "was trained on " + rows.getAsInt() + " rows in its smallest cell, fewer than the minimum of "
                            + limits.minTrainingRows());
        }
        return a;
    }

    /** Inflates every entry, counting bytes as they come: zip headers' sizes can lie. */
    private static Map<String, byte[]> readEntries(InputStream in, LoadLimits limits) throws IOException {
        Map<String, byte[]> entries = new TreeMap<>();
        ZipInputStream zip = new ZipInputStream(in);
        byte[] buf = new byte[64 * 1024];
        long total = 0;
        int count = 0;
        for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
            if (++count > limits.maxEntries()) {
                throw new LimitExceededException(
                        Limit.ENTRIES, "has more than " + limits.maxEntries() + " entries, the limit");
            }
            ByteArrayOutputStream entry = new ByteArrayOutputStream();
            for (int n; (n = zip.read(buf)) > 0; ) {
                total += n;
                if (total > limits.maxUncompressedBytes()) {
                    throw new LimitExceededException(
                            Limit.UNCOMPRESSED_BYTES,
                            "inflates to more than " + limits.maxUncompressedBytes() + " bytes, the limit");
                }
                entry.write(buf, 0, n);
            }
            entries.put(e.getName(), entry.toByteArray());
        }
        return entries;
    }

    /**
     * Fewest training rows of any trained cell, from the Tribuo provenance (for svr-bagging, the
     * rows of the smallest estimator's sample); empty for a model that was not trained (analytic).
     */
    public OptionalInt trainingRows() {
        if (model instanceof CalibratedModel k) {
            // The fleet's correction is shrunk towards the prior; the row minimum guards the prior.
            return k.prior().trainingRows();
        }
        int fewest = Integer.MAX_VALUE;
        for (CellInfo c : cells) {
            List<Model<?>> tribuo = new ArrayList<>();
            if (model instanceof GradientBoostedModel g) {
                tribuo.add(g.tribuoModel(c.algorithm(), c.target()));
            } else if (model instanceof SvrBaggingModel s) {
                s.bag(c.algorithm(), c.target()).estimators().forEach(e -> tribuo.add(e.tribuoModel()));
            }
            for (Model<?> t : tribuo) {
                fewest = Math.min(
                        fewest, t.getProvenance().getDatasetProvenance().getNumExamples());
            }
        }
        return fewest == Integer.MAX_VALUE ? OptionalInt.empty() : OptionalInt.of(fewest);
    }

    // ---- encoding ----

    private static final class Encoded {
        final ObjectNode manifest;
        final Map<String, byte[]> files;
        final List<CellInfo> cells;
        final Map<String, String> hyperParameters;
        final String contentHash;

        Encoded(ObjectNode manifest, Map<String, byte[]> files, List<CellInfo> cells, Map<String, String> hp) {
            this.manifest = manifest;
            this.files = files;
            this.cells = cells;
            this.hyperParameters = hp;
            this.contentHash = hash(manifest, files);
        }
    }

    private static Encoded encode(MigrationModel model, String fingerprint, Map<String, Double> validation) {
        ObjectNode m = JSON.createObjectNode();
        m.put("format", model instanceof CalibratedModel k && k.hasFormulas() ? FORMAT_FORMULAS : FORMAT);
        m.put("learner", model.learnerName());
        m.put("trainingFingerprint", fingerprint);
        FeatureSchema schema = model.schema();
        ObjectNode s = m.putObject("schema");
        ArrayNode names = s.putArray("features");
        schema.names().forEach(names::add);
        s.put("linkSpeedMBps", schema.linkSpeedMBps());
        s.put("vmVcpus", schema.vmVcpus());
        Map<String, String> hp;
        if (model instanceof GradientBoostedModel) {
            hp = ((GradientBoostedModel) model).hyperParameters();
        } else if (model instanceof SvrBaggingModel) {
            hp = ((SvrBaggingModel) model).hyperParameters();
        } else if (model instanceof CalibratedModel k) {
            hp = new LinkedHashMap<>(k.params().toMap());
            hp.put("prior", k.prior().versionId());
        } else if (model instanceof AnalyticModel) {
            hp = new LinkedHashMap<>();
            hp.put("downtime_limit_ms", "300");
            hp.put("max_rounds", "30");
        } else {
            throw new IllegalArgumentException(
                    "cannot package a " + model.getClass().getName());
        }
        ObjectNode hpNode = m.putObject("hyperParameters");
        hp.forEach(hpNode::put);
        ObjectNode val = m.putObject("validation");
        new TreeMap<>(validation).forEach(val::put);
        Map<String, byte[]> files = new TreeMap<>();
        List<CellInfo> infos = new ArrayList<>();
        ArrayNode cellsNode = m.putArray("cells");
        for (int c = 0; c < CellIndex.COUNT; c++) {
            Algorithm a = CellIndex.algorithm(c);
            Target t = CellIndex.target(c);
            if (!model.supports(a, t)) {
                continue;
            }
            ObjectNode cell = cellsNode.addObject();
            cell.put("algorithm", a.name());
            cell.put("target", t.name());
            String dir = "cells/" + a.name() + "/" + t.name() + "/";
            String provenance;
            int count;
            String transform;
            if (model instanceof CalibratedModel k) {
                XGBoostModel<Regressor> x = k.correction().tribuoModel(a, t);
                ArrayNode fl = cell.putArray("files");
                cell.put("fleetRows", k.fleetRows(a, t));
                if (k.offset(a, t) != 0) {
                    cell.put("offset", k.offset(a, t));
                }
                if (k.replaced(a, t)) {
                    cell.put("replacesPrior", true);
                }
                CellFormula formula = k.formula(a, t);
                if (formula != null) {
                    ObjectNode fn = cell.putObject("formula").put("kind", formula.kind());
                    formula.parameters().forEach(fn::put);
                }
                transform = TargetSpace.transformName(t) + " minus the prior's prediction";
                if (formula != null) {
                    provenance = "a formula fitted on " + k.fleetRows(a, t) + " fleet rows instead of the prior: "
                            + formula.describe();
                    count = 0;
                } else if (x != null) {
                    files.put(dir + "correction.tribuo", x.serialize().toByteArray());
                    fl.add(dir + "correction.tribuo");
                    provenance = (k.replaced(a, t) ? "the fleet's median instead of the prior, plus: " : "")
                            + ProvenanceUtil.formattedProvenanceString(x.getProvenance());
                    count = 1;
                } else if (k.replaced(a, t)) {
                    provenance = "the fleet's median of " + k.fleetRows(a, t) + " rows instead of the prior";
                    count = 0;
                } else if (k.offset(a, t) != 0) {
                    provenance = "a constant offset (the median residual) on " + k.fleetRows(a, t) + " fleet rows";
                    count = 0;
                } else if (k.corrected(a, t)) {
                    provenance = "the fleet-wide " + t + " correction only";
                    count = 0;
                } else {
                    provenance = k.fleetRows(a, t) < k.params().minRows()
                            ? "prior unchanged: " + k.fleetRows(a, t) + " fleet rows, fewer than "
                                    + k.params().minRows()
                            : "prior unchanged: a correction did not beat the prior in cross-validation over "
                                    + k.fleetRows(a, t) + " fleet rows";
                    count = 0;
                }
            } else if (model instanceof GradientBoostedModel) {
                GradientBoostedModel g = (GradientBoostedModel) model;
                XGBoostModel<Regressor> x = g.tribuoModel(a, t);
                files.put(dir + "model.tribuo", x.serialize().toByteArray());
                cell.putArray("files").add(dir + "model.tribuo");
                AnalyticOffset off = g.offset(a, t);
                transform = TargetSpace.transformName(t) + (off == null ? "" : " minus analytic");
                if (off != null) {
                    cell.putObject("analyticOffset")
                            .put("feature", AnalyticOffset.sourceFeature(t).displayName())
                            .put("fallback", off.fallback());
                }
                provenance = ProvenanceUtil.formattedProvenanceString(x.getProvenance());
                count = 1;
            } else if (model instanceof SvrBaggingModel) {
                SvrBag bag = ((SvrBaggingModel) model).bag(a, t);
                transform = TargetSpace.transformName(t) + ", standardized";
                putArray(cell.putArray("xMean"), bag.xMean());
                putArray(cell.putArray("xStd"), bag.xStd());
                cell.put("yMean", bag.yMean());
                cell.put("yStd", bag.yStd());
                ArrayNode est = cell.putArray("estimators");
                List<SvrEstimator> list = bag.estimators();
                for (int e = 0; e < list.size(); e++) {
                    String f = String.format("%sestimator-%03d.tribuo", dir, e);
                    files.put(f, list.get(e).tribuoModel().serialize().toByteArray());
                    ObjectNode en = est.addObject();
                    en.put("file", f);
                    ArrayNode fs = en.putArray("features");
                    for (int i : list.get(e).schemaFeatures()) {
                        fs.add(i);
                    }
                }
                // One estimator's provenance stands for the bag: they differ only in seed and sample.
                provenance = ProvenanceUtil.formattedProvenanceString(
                        list.get(0).tribuoModel().getProvenance());
                count = list.size();
            } else {
                transform = "none";
                provenance = "analytic geometric-series pre-copy (GeometricPrecopy), downtime limit 300 ms, "
                        + "max 30 rounds, PTR capped at the link speed; not trained";
                count = 0;
            }
            cell.put("transform", transform);
            cell.put("provenance", provenance);
            infos.add(new CellInfo(a, t, transform, provenance, count));
        }
        if (model instanceof CalibratedModel k) {
            try {
                files.put(PRIOR, k.prior().toBytes());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            m.putObject("prior")
                    .put("versionId", k.prior().versionId())
                    .put("trainingFingerprint", k.prior().trainingFingerprint())
                    .put("file", PRIOR);
            ArrayNode pooled = m.putArray("pooled");
            for (Target t : Target.values()) {
                XGBoostModel<Regressor> x = k.pooled(t);
                if (x != null) {
                    String f = "pooled/" + t.name() + "/correction.tribuo";
                    files.put(f, x.serialize().toByteArray());
                    pooled.addObject()
                            .put("target", t.name())
                            .put("file", f)
                            .put("provenance", ProvenanceUtil.formattedProvenanceString(x.getProvenance()));
                }
            }
        }
        if (model instanceof AnalyticModel) {
            ArrayNode algs = m.putArray("algorithms");
            ((AnalyticModel) model).algorithms().forEach(a -> algs.add(a.name()));
        }
        return new Encoded(m, files, infos, hp);
    }

    private static void putArray(ArrayNode n, double[] v) {
        for (double d : v) {
            n.add(d);
        }
    }

    private static String hash(ObjectNode manifest, Map<String, byte[]> files) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(JSON.writeValueAsString(manifest).getBytes(StandardCharsets.UTF_8));
            for (Map.Entry<String, byte[]> e : files.entrySet()) {
                sha.update(e.getKey().getBytes(StandardCharsets.UTF_8));
                sha.update(e.getValue());
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- decoding ----

    private static FeatureSchema readSchema(JsonNode s) {
        List<String> names = new ArrayList<>();
        s.path("features").forEach(n -> names.add(n.asText()));
        return FeatureSchema.ofNames(
                names, s.path("linkSpeedMBps").asDouble(), s.path("vmVcpus").asDouble());
    }

    private static Model<?> tribuo(Map<String, byte[]> entries, String name) throws IOException {
        byte[] b = entries.get(name);
        if (b == null) {
            throw new IOException("artifact lacks " + name);
        }
        return Model.deserialize(ModelProto.parseFrom(b));
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static MigrationModel decodeGbt(
            JsonNode m, FeatureSchema schema, Map<String, String> hp, Map<String, byte[]> entries) throws IOException {
        XGBoostModel<Regressor>[] models = new XGBoostModel[CellIndex.COUNT];
        AnalyticOffset[] offsets = new AnalyticOffset[CellIndex.COUNT];
        for (JsonNode cell : m.path("cells")) {
            Algorithm a = Algorithm.valueOf(cell.path("algorithm").asText());
            Target t = Target.valueOf(cell.path("target").asText());
            int c = CellIndex.of(a, t);
            models[c] = (XGBoostModel<Regressor>)
                    tribuo(entries, cell.path("files").get(0).asText());
            if (cell.has("analyticOffset")) {
                offsets[c] = AnalyticOffset.of(
                        schema, t, cell.path("analyticOffset").path("fallback").asDouble());
            }
        }
        return new GradientBoostedModel(schema, GbtParams.fromMap(hp), models, offsets);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static MigrationModel decodeCalibrated(
            JsonNode m, FeatureSchema schema, Map<String, String> hp, Map<String, byte[]> entries) throws IOException {
        byte[] priorBytes = entries.get(PRIOR);
        if (priorBytes == null) {
            throw new IOException("artifact lacks " + PRIOR);
        }
        // The outer file's limits already bounded these bytes.
        ModelArtifact prior = load(new ByteArrayInputStream(priorBytes), LoadLimits.DEFAULTS);
        XGBoostModel<Regressor>[] models = new XGBoostModel[CellIndex.COUNT];
        int[] rows = new int[CellIndex.COUNT];
        double[] offsets = new double[CellIndex.COUNT];
        boolean[] replaced = new boolean[CellIndex.COUNT];
        CellFormula[] formulas = new CellFormula[CellIndex.COUNT];
        for (JsonNode cell : m.path("cells")) {
            int c = CellIndex.of(
                    Algorithm.valueOf(cell.path("algorithm").asText()),
                    Target.valueOf(cell.path("target").asText()));
            rows[c] = cell.path("fleetRows").asInt();
            offsets[c] = cell.path("offset").asDouble(0.0);
            replaced[c] = cell.path("replacesPrior").asBoolean(false);
            JsonNode fn = cell.path("formula");
            if (fn.isObject()) {
                Map<String, Double> fp = new LinkedHashMap<>();
                fn.fields().forEachRemaining(e -> {
                    if (!e.getKey().equals("kind")) {
                        fp.put(e.getKey(), e.getValue().asDouble());
                    }
                });
                try {
                    formulas[c] = CellFormula.of(fn.path("kind").asText(), fp);
                } catch (IllegalArgumentException | NullPointerException e) {
                    throw new IOException("cell " + cell.path("algorithm").asText() + "/"
                            + cell.path("target").asText() + " has a formula this version cannot read: " + fn);
                }
            }
            if (!cell.path("files").isEmpty()) {
                models[c] = (XGBoostModel<Regressor>)
                        tribuo(entries, cell.path("files").get(0).asText());
            }
        }
        XGBoostModel<Regressor>[] pooled = new XGBoostModel[Target.values().length];
        for (JsonNode p : m.path("pooled")) {
            pooled[Target.valueOf(p.path("target").asText()).ordinal()] =
                    (XGBoostModel<Regressor>) tribuo(entries, p.path("file").asText());
        }
        Calibration.Params params = Calibration.Params.fromMap(hp);
        return new CalibratedModel(
                prior,
                pooled,
                new GradientBoostedModel(schema, params.gbt(), models, new AnalyticOffset[CellIndex.COUNT]),
                params,
                rows,
                offsets,
                replaced,
                formulas);
    }

    private static MigrationModel decodeSvr(
            JsonNode m, FeatureSchema schema, Map<String, String> hp, Map<String, byte[]> entries) throws IOException {
        SvrBag[] bags = new SvrBag[CellIndex.COUNT];
        List<String> names = schema.names();
        for (JsonNode cell : m.path("cells")) {
            Algorithm a = Algorithm.valueOf(cell.path("algorithm").asText());
            Target t = Target.valueOf(cell.path("target").asText());
            List<SvrEstimator> est = new ArrayList<>();
            for (JsonNode e : cell.path("estimators")) {
                int[] features = new int[e.path("features").size()];
                List<String> sub = new ArrayList<>();
                for (int i = 0; i < features.length; i++) {
                    features[i] = e.path("features").get(i).asInt();
                    sub.add(names.get(features[i]));
                }
                est.add(new SvrEstimator(features, sub, (LibSVMRegressionModel)
                        tribuo(entries, e.path("file").asText())));
            }
            bags[CellIndex.of(a, t)] = new SvrBag(
                    doubles(cell.path("xMean")),
                    doubles(cell.path("xStd")),
                    cell.path("yMean").asDouble(),
                    cell.path("yStd").asDouble(),
                    est);
        }
        return new SvrBaggingModel(schema, SvrParams.fromMap(hp), bags);
    }

    private static MigrationModel decodeAnalytic(JsonNode m, FeatureSchema schema) {
        Set<Algorithm> algs = EnumSet.noneOf(Algorithm.class);
        for (Iterator<JsonNode> it = m.path("algorithms").elements(); it.hasNext(); ) {
            algs.add(Algorithm.valueOf(it.next().asText()));
        }
        return new AnalyticModel(schema.linkSpeedMBps(), schema.vmVcpus(), algs);
    }

    private static double[] doubles(JsonNode n) {
        double[] v = new double[n.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = n.get(i).asDouble();
        }
        return v;
    }

    /** Bytes of the artifact, e.g. for bundling into a jar. */
    public byte[] toBytes() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        write(out);
        return out.toByteArray();
    }
}
