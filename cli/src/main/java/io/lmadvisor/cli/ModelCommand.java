package io.lmadvisor.cli;

import io.lmadvisor.model.MigrationRecord;
import io.lmadvisor.model.artifact.ModelArtifact;
import io.lmadvisor.model.data.BadRow;
import io.lmadvisor.model.data.BadRowPolicy;
import io.lmadvisor.model.data.Dataset;
import io.lmadvisor.model.data.DatasetFingerprint;
import io.lmadvisor.model.data.DatasetFormat;
import io.lmadvisor.model.data.HoldoutSplit;
import io.lmadvisor.model.data.KFold;
import io.lmadvisor.model.data.ReadOptions;
import io.lmadvisor.model.eval.CellEvaluation;
import io.lmadvisor.model.eval.CrossValidation;
import io.lmadvisor.model.eval.EvaluationReport;
import io.lmadvisor.model.eval.Evaluator;
import io.lmadvisor.model.features.FeatureSchema;
import io.lmadvisor.model.learn.CalibratedModel;
import io.lmadvisor.model.learn.Calibration;
import io.lmadvisor.model.learn.Learner;
import io.lmadvisor.model.learn.Learners;
import io.lmadvisor.model.score.ModelExplainer;
import io.lmadvisor.topics.Topics;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code lm-advisor model ...}: train, evaluate, cross-validate and explain migration models, and export training data. */
@Command(
        name = "model",
        mixinStandardHelpOptions = true,
        description = "Train, evaluate, cross-validate and explain migration models.",
        subcommands = {
            ModelCommand.Train.class,
            ModelCommand.Evaluate.class,
            ModelCommand.Cv.class,
            ModelCommand.Explain.class,
            ModelCommand.ExportTrainingData.class,
            ModelCommand.TrainPrior.class,
            ModelCommand.Calibrate.class,
            LabEvalCommand.class
        })
final class ModelCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.err);
    }

    /** Options shared by every command that reads a dataset. */
    static final class DataOptions {
        @Option(names = "--format", required = true, description = "Dataset format: csap, csap512 or csap-subset.")
        String format;

        @Option(names = "--data", required = true, description = "Dataset file (CSV, optionally .gz).")
        Path data;

        @Option(
                names = "--bad-rows",
                defaultValue = "skip",
                description =
                        "What to do with a bad row: skip (counted and reported) or fail (default: ${DEFAULT-VALUE}).")
        String badRows;

        Dataset read() throws IOException {
            DatasetFormat f = DatasetFormat.parse(format);
            BadRowPolicy policy = BadRowPolicy.valueOf(badRows.trim().toUpperCase(java.util.Locale.ROOT));
            ReadOptions options = ReadOptions.defaults()
                    .withBadRowPolicy(policy)
                    .withProgress(50_000, (rows, bad) -> progress("read " + rows + " rows (" + bad + " bad)"));
            Dataset d = f.read(data, options);
            progress(d.summary());
            int shown = 0;
            for (BadRow b : d.badRows()) {
                if (shown++ == 10) {
                    progress("... and " + (d.badRows().size() - 10) + " more bad rows");
                    break;
                }
                progress("skipped line " + b.lineNumber() + ": " + b.reason());
            }
            if (d.records().isEmpty()) {
                throw new IllegalArgumentException("no usable rows in " + data);
            }
            return d;
        }
    }

    static void progress(String message) {
        System.err.println("lm-advisor model: " + message);
    }

    /** A model file, or the bundled model for {@code bundled}. */
    static ModelArtifact loadPrior(String prior) throws IOException {
        return "bundled".equals(prior)
                ? ModelArtifact.loadResource(io.lmadvisor.streams.model.ModelSource.BUNDLED_RESOURCE)
                : ModelArtifact.load(Path.of(prior));
    }

    static FeatureSchema schemaFor(DatasetFormat format) {
        return format == DatasetFormat.CSAP_SUBSET ? FeatureSchema.subset() : FeatureSchema.full();
    }

    @Command(
            name = "train",
            mixinStandardHelpOptions = true,
            description = "Train one model per (algorithm, metric) and write the model file.")
    static final class Train implements Callable<Integer> {
        @Mixin
        DataOptions data;

        @Option(names = "--out", required = true, description = "Model file to write.")
        Path out;

        @Option(
                names = "--learner",
                defaultValue = Learners.DEFAULT,
                description = "Learner: gbt (default), svr-bagging (the paper's reference) or analytic (the floor).")
        String learner;

        @Option(names = "--seed", defaultValue = "42", description = "Random seed (default: ${DEFAULT-VALUE}).")
        long seed;

        @Option(
                names = "--param",
                description = "A gbt hyper-parameter override, e.g. --param rounds=40 --param max_depth=6.")
        Map<String, String> params = new LinkedHashMap<>();

        @Option(
                names = "--holdout",
                defaultValue = "0",
                description = "Hold out this fraction of rows (by a hash of the row id), train on the rest and record "
                        + "the hold-out accuracy in the model (e.g. 0.3). Default: train on everything.")
        double holdout;

        @Override
        public Integer call() throws Exception {
            Dataset d = data.read();
            List<MigrationRecord> train = d.records();
            List<MigrationRecord> test = List.of();
            if (holdout > 0) {
                HoldoutSplit split = HoldoutSplit.byIdHash(d.records(), holdout);
                train = split.train();
                test = split.test();
                progress("hold-out " + holdout + ": training on " + train.size() + " rows, validating on "
                        + test.size());
            }
            Learner l = Learners.byName(learner, params);
            long startNs = System.nanoTime();
            var model = l.train(train, schemaFor(d.format()), seed, ModelCommand::progress);
            progress(String.format("trained %s in %.1f s", l.name(), (System.nanoTime() - startNs) / 1e9));
            Map<String, Double> validation = new LinkedHashMap<>();
            if (!test.isEmpty()) {
                EvaluationReport report = Evaluator.evaluate(l.name(), model, test);
                for (CellEvaluation c : report.cells()) {
                    validation.put(
                            "holdout.gMRE." + c.algorithm().shortName() + "."
                                    + c.target().name(),
                            c.gMRE());
                }
                System.out.print(report.toCsv());
            }
            ModelArtifact artifact = ModelArtifact.of(model, DatasetFingerprint.of(train), validation, Instant.now());
            artifact.save(out);
            progress("wrote " + out + " (version " + artifact.versionId() + ")");
            return 0;
        }
    }

    @Command(
            name = "calibrate",
            mixinStandardHelpOptions = true,
            description = "Learn a fleet's correction on top of a prior model from the fleet's migrations "
                    + "(e.g. `model export-training-data`); cells with too few fleet rows keep the prior.")
    static final class Calibrate implements Callable<Integer> {
        @Mixin
        DataOptions data;

        @Option(
                names = "--prior",
                required = true,
                description = "The prior model file, or `bundled` for the model inside the jar.")
        String prior;

        @Option(names = "--out", required = true, description = "Model file to write.")
        Path out;

        @Option(names = "--seed", defaultValue = "42", description = "Random seed (default: ${DEFAULT-VALUE}).")
        long seed;

        @Option(
                names = "--min-rows",
                defaultValue = "5",
                description = "Fewest fleet rows a cell needs to be corrected (default: ${DEFAULT-VALUE}).")
        int minRows;

        @Option(
                names = "--holdout",
                defaultValue = "0",
                description =
                        "Hold out this fraction of the fleet rows (by a hash of the row id), calibrate on the rest, "
                                + "print prior and calibrated accuracy on it and record the latter in the model (e.g. 0.3).")
        double holdout;

        @Override
        public Integer call() throws Exception {
            ModelArtifact p = loadPrior(prior);
            progress("prior " + p.versionId() + " (" + p.learnerName() + ")");
            Dataset d = data.read();
            List<MigrationRecord> train = d.records();
            List<MigrationRecord> test = List.of();
            if (holdout > 0) {
                HoldoutSplit split = HoldoutSplit.byIdHash(d.records(), holdout);
                train = split.train();
                test = split.test();
                progress("hold-out " + holdout + ": calibrating on " + train.size() + " rows, validating on "
                        + test.size());
            }
            Calibration.Params defaults = Calibration.Params.defaults();
            Calibration.Params params = defaults.withMinRows(minRows);
            long startNs = System.nanoTime();
            CalibratedModel model = Calibration.calibrate(p, train, params, seed);
            progress(String.format("calibrated in %.1f s", (System.nanoTime() - startNs) / 1e9));
            Map<String, Double> validation = new LinkedHashMap<>();
            if (!test.isEmpty()) {
                System.out.print(Evaluator.evaluate("prior", p.model(), test).toCsv());
                EvaluationReport report = Evaluator.evaluate(CalibratedModel.NAME, model, test);
                for (CellEvaluation c : report.cells()) {
                    validation.put(
                            "holdout.gMRE." + c.algorithm().shortName() + "."
                                    + c.target().name(),
                            c.gMRE());
                }
                System.out.print(withoutHeader(report));
            }
            ModelArtifact artifact = Calibration.artifact(model, train, validation, Instant.now());
            artifact.save(out);
            progress(
                    "wrote " + out + " (version " + artifact.versionId() + ", " + artifact.trainingFingerprint() + ")");
            return 0;
        }
    }

    @Command(
            name = "train-prior",
            mixinStandardHelpOptions = true,
            description =
                    "Train the bundled prior: gbt over the full feature schema on the real CSAP subset's training "
                            + "side plus freshly simulated csap512 rows; prints the hold-out CSV (real TT/DT/TD, simulated PERF/CPU/MEM).")
    static final class TrainPrior implements Callable<Integer> {
        @Option(names = "--subset", required = true, description = "The public CSAP subset (csap-subset format).")
        Path subset;

        @Option(
                names = "--holdout",
                defaultValue = "0.3",
                description =
                        "Fraction of the subset held out by id hash, never trained on (default: ${DEFAULT-VALUE}).")
        double holdout;

        @Option(
                names = "--sim-rows",
                defaultValue = "20000",
                description = "Simulated csap512 rows (default: ${DEFAULT-VALUE}).")
        long simRows;

        @Option(names = "--sim-seed", defaultValue = "7", description = "Simulator seed (default: ${DEFAULT-VALUE}).")
        long simSeed;

        @Option(
                names = "--sim-holdout",
                defaultValue = "0.2",
                description =
                        "Fraction of the simulated rows held out for the PERF/CPU/MEM figures (default: ${DEFAULT-VALUE}).")
        double simHoldout;

        @Option(names = "--seed", defaultValue = "7", description = "Training seed (default: ${DEFAULT-VALUE}).")
        long seed;

        @Option(
                names = "--param",
                description = "A gbt hyper-parameter override for the TT/DT/TD cells, as for `model train`.")
        Map<String, String> params = new LinkedHashMap<>();

        @Option(
                names = "--aux-param",
                description = "A gbt hyper-parameter override for the PERF/CPU/MEM cells "
                        + "(simulated rows only); without any, they use --param's.")
        Map<String, String> auxParams = new LinkedHashMap<>();

        @Option(
                names = "--cell-param",
                paramLabel = "ALG.TARGET:key=value",
                description = "A recipe for one cell on top of --param/--aux-param and --real-weight, e.g. "
                        + "POST.TD:max_depth=9 or POST.TT:real_weight=3; the other cells train as without it.")
        List<String> cellParams = new java.util.ArrayList<>();

        @Option(
                names = "--select",
                description = "Model selection without touching the hold-out: train on the training side "
                        + "minus the ids hashing to [holdout, holdout + 0.15) and report gMRE on those rows (the model written is "
                        + "then for selection only).")
        boolean select;

        @Option(
                names = "--real-weight",
                defaultValue = "1",
                description = "Each real row counts this many times (it is repeated) (default: ${DEFAULT-VALUE}).")
        int realWeight;

        @Option(
                names = "--compare",
                description = "Also train a subset-only gbt (default parameters, seed 42) on the same real rows "
                        + "and print its figures and the prior/gbt ratio per cell.")
        boolean compare;

        @Option(names = "--out", required = true, description = "Model file to write.")
        Path out;

        @Override
        public Integer call() throws Exception {
            // Checked before the slow part, so a typo fails at once.
            var cells = io.lmadvisor.model.learn.PriorTraining.CellRecipe.parse(
                    cellParams, params, auxParams.isEmpty() ? params : auxParams, realWeight);
            Dataset real = DatasetFormat.CSAP_SUBSET.read(subset, ReadOptions.defaults());
            progress(real.summary());
            Path simFile = java.nio.file.Files.createTempFile("lm-prior-sim", ".csv");
            List<MigrationRecord> sim;
            try {
                io.lmadvisor.simulator.DatasetGenerator.generate(
                        simRows,
                        simSeed,
                        DatasetFormat.CSAP512,
                        simFile,
                        io.lmadvisor.simulator.DatasetGenerator.Progress.NONE);
                sim = DatasetFormat.CSAP512
                        .read(simFile, ReadOptions.defaults())
                        .records();
            } finally {
                java.nio.file.Files.deleteIfExists(simFile);
            }
            HoldoutSplit realSplit = HoldoutSplit.byIdHash(real.records(), holdout);
            HoldoutSplit simSplit = HoldoutSplit.byIdHash(sim, simHoldout);
            List<MigrationRecord> realTrain = realSplit.train();
            List<MigrationRecord> realTest = realSplit.test();
            if (select) {
                double hi = Math.min(1.0, holdout + 0.15);
                List<MigrationRecord> inner = new java.util.ArrayList<>();
                List<MigrationRecord> rest = new java.util.ArrayList<>();
                for (MigrationRecord r : realTrain) {
                    (HoldoutSplit.idFraction(r.id()) < hi ? inner : rest).add(r);
                }
                realTrain = rest;
                realTest = inner;
                progress("--select: training on " + rest.size() + " real rows, validating on " + inner.size()
                        + " training-side rows; the hold-out is not used");
            }
            var main = (io.lmadvisor.model.learn.GradientBoostedLearner)
                    Learners.byName(io.lmadvisor.model.learn.GradientBoostedLearner.NAME, params);
            var aux = auxParams.isEmpty()
                    ? main
                    : (io.lmadvisor.model.learn.GradientBoostedLearner)
                            Learners.byName(io.lmadvisor.model.learn.GradientBoostedLearner.NAME, auxParams);
            long startNs = System.nanoTime();
            var model = io.lmadvisor.model.learn.PriorTraining.train(
                    main, aux, realWeight, cells, realTrain, simSplit.train(), seed, ModelCommand::progress);
            progress(String.format(
                    "trained the prior on %d real + %d simulated rows in %.1f s",
                    realTrain.size(), simSplit.train().size(), (System.nanoTime() - startNs) / 1e9));
            EvaluationReport onReal = Evaluator.evaluate("prior-real", model, realTest);
            EvaluationReport onSim = Evaluator.evaluate("prior-sim", model, simSplit.test());
            Map<String, Double> validation = new LinkedHashMap<>();
            for (CellEvaluation c : onSim.cells()) {
                String cell = c.algorithm().shortName() + "." + c.target().name();
                validation.put("sim.holdout.gMRE." + cell, c.gMRE());
                if (onReal.cell(c.algorithm(), c.target()).isEmpty()) {
                    validation.put("holdout.gMRE." + cell, c.gMRE());
                }
            }
            for (CellEvaluation c : onReal.cells()) {
                validation.put(
                        "holdout.gMRE." + c.algorithm().shortName() + "."
                                + c.target().name(),
                        c.gMRE());
            }
            System.out.print(onReal.toCsv());
            System.out.print(withoutHeader(onSim));
            if (compare) {
                var baseline = Learners.byName(io.lmadvisor.model.learn.GradientBoostedLearner.NAME)
                        .train(realTrain, FeatureSchema.subset(), 42, ModelCommand::progress);
                EvaluationReport b = Evaluator.evaluate("subset-gbt", baseline, realTest);
                System.out.print(withoutHeader(b));
                for (CellEvaluation c : onReal.cells()) {
                    b.cell(c.algorithm(), c.target())
                            .ifPresent(bc -> progress(String.format(
                                    java.util.Locale.ROOT,
                                    "%s %s prior %.4f subset-gbt %.4f ratio %.2f",
                                    c.algorithm().shortName(),
                                    c.target(),
                                    c.gMRE(),
                                    bc.gMRE(),
                                    c.gMRE() / bc.gMRE())));
                }
            }
            var provenance = io.lmadvisor.model.learn.PriorTraining.Provenance.of(
                    realTrain, realWeight, holdout, simSeed, simRows, simSplit.train());
            String trainedOn = provenance.describe()
                    + (cellParams.isEmpty() ? "" : "; cell recipes " + String.join(" ", cellParams));
            ModelArtifact artifact = ModelArtifact.of(model, trainedOn, validation, Instant.now());
            artifact.save(out);
            progress("wrote " + out + " (version " + artifact.versionId() + "): " + trainedOn);
            return 0;
        }
    }

    private static String withoutHeader(EvaluationReport report) {
        String csv = report.toCsv();
        return csv.substring(csv.indexOf('\n') + 1);
    }

    @Command(
            name = "evaluate",
            mixinStandardHelpOptions = true,
            description =
                    "Score a model file on a dataset; prints CSV (model,algorithm,metric,gMRE,gMAE,medianRE,p90RE,n).")
    static final class Evaluate implements Callable<Integer> {
        @Mixin
        DataOptions data;

        @Option(names = "--model", required = true, description = "Model file.")
        Path model;

        @Option(names = "--holdout-only", description = "Evaluate only the rows a `train --holdout F` left out.")
        boolean holdoutOnly;

        @Option(
                names = "--holdout",
                defaultValue = "0.3",
                description = "Hold-out fraction for --holdout-only (default: ${DEFAULT-VALUE}).")
        double holdout;

        @Override
        public Integer call() throws Exception {
            ModelArtifact artifact = ModelArtifact.load(model);
            progress("loaded " + model + " (" + artifact.learnerName() + ", version " + artifact.versionId() + ")");
            Dataset d = data.read();
            List<MigrationRecord> rows =
                    holdoutOnly ? HoldoutSplit.byIdHash(d.records(), holdout).test() : d.records();
            System.out.print(Evaluator.evaluate(artifact.learnerName(), artifact.model(), rows)
                    .toCsv());
            return 0;
        }
    }

    @Command(
            name = "cv",
            mixinStandardHelpOptions = true,
            description =
                    "k-fold cross-validation of a learner; prints CSV (model,algorithm,metric,gMRE,gMAE,medianRE,p90RE,n).")
    static final class Cv implements Callable<Integer> {
        @Mixin
        DataOptions data;

        @Option(
                names = "--folds",
                defaultValue = "" + KFold.DEFAULT_FOLDS,
                description = "Folds (default: ${DEFAULT-VALUE}).")
        int folds;

        @Option(
                names = "--learner",
                defaultValue = Learners.DEFAULT,
                description = "Learner (default: ${DEFAULT-VALUE}).")
        String learner;

        @Option(names = "--seed", defaultValue = "42", description = "Random seed (default: ${DEFAULT-VALUE}).")
        long seed;

        @Override
        public Integer call() throws Exception {
            if (folds < 2) {
                throw new IllegalArgumentException("--folds must be at least 2");
            }
            Dataset d = data.read();
            EvaluationReport report = CrossValidation.run(
                    Learners.byName(learner), d.records(), schemaFor(d.format()), folds, seed, ModelCommand::progress);
            System.out.print(report.toCsv());
            return 0;
        }
    }

    @Command(
            name = "export-training-data",
            mixinStandardHelpOptions = true,
            description =
                    "Write the fleet's own migrations (the advisor's lm.training-rows) as a csap CSV for `model train --format csap`.")
    static final class ExportTrainingData implements Callable<Integer> {
        @Option(names = "--bootstrap-servers", required = true, description = "Kafka cluster.")
        String bootstrapServers;

        @Option(
                names = "--schema-registry-url",
                description =
                        "Accepted for symmetry with the other commands; the rows are CSV, so no registry is needed.")
        String schemaRegistryUrl;

        @Option(
                names = "--since",
                required = true,
                description =
                        "Rows published at or after this time: an ISO-8601 instant (2026-11-24T10:00:00Z) or an age (2h, 7d).")
        String since;

        @Option(
                names = "--until",
                description = "Rows published before this time (same forms as --since; default: up to now).")
        String until;

        @Option(
                names = "--topic",
                defaultValue = Topics.TRAINING_ROWS,
                description = "Topic (default: ${DEFAULT-VALUE}).")
        String topic;

        @Option(names = "--out", required = true, description = "CSV file to write (gzip when it ends in .gz).")
        Path out;

        @Override
        public Integer call() throws Exception {
            Instant now = Instant.now();
            Instant from = instant(since, now);
            Instant to = until == null ? null : instant(until, now);
            if (to != null && !to.isAfter(from)) {
                throw new IllegalArgumentException("--until must be after --since");
            }
            Map<String, Object> client = new LinkedHashMap<>();
            client.put("bootstrap.servers", bootstrapServers);
            TrainingDataExport.Result r =
                    TrainingDataExport.export(client, topic, from, to, out, ModelCommand::progress);
            progress("wrote " + r.written() + " rows to " + out + " (" + r.malformed() + " malformed skipped, "
                    + r.outsideRange() + " after --until)");
            return 0;
        }

        /** An ISO-8601 instant, or an age such as {@code 2h} counted back from {@code now}. */
        static Instant instant(String text, Instant now) {
            try {
                return Instant.parse(text.trim());
            } catch (java.time.format.DateTimeParseException notAnInstant) {
                return now.minus(DurationConverter.parse(text));
            }
        }
    }

    @Command(
            name = "explain",
            mixinStandardHelpOptions = true,
            description = "Print a model's provenance and its feature importance per (algorithm, metric).")
    static final class Explain implements Callable<Integer> {
        @Option(names = "--model", required = true, description = "Model file.")
        Path model;

        @Override
        public Integer call() throws Exception {
            System.out.print(ModelExplainer.explain(ModelArtifact.load(model)));
            return 0;
        }
    }
}
