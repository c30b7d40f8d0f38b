package io.lmadvisor.model.score;

import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.Target;
import io.lmadvisor.model.artifact.ModelArtifact;
import io.lmadvisor.model.learn.AnalyticOffset;
import io.lmadvisor.model.learn.CalibratedModel;
import io.lmadvisor.model.learn.CompiledTrees;
import io.lmadvisor.model.learn.GradientBoostedModel;
import io.lmadvisor.model.learn.MigrationModel;
import io.lmadvisor.model.learn.SvrBag;
import io.lmadvisor.model.learn.SvrBaggingModel;
import io.lmadvisor.model.learn.SvrEstimator;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Text for {@code lm-advisor model explain}: what the artifact is, and per cell its inputs' weight and provenance. */
public final class ModelExplainer {
    private ModelExplainer() {}

    /** Header, then per (algorithm, metric) the feature importance and the Tribuo provenance. */
    public static String explain(ModelArtifact artifact) {
        return explain(artifact, true);
    }

    public static String explain(ModelArtifact artifact, boolean withProvenance) {
        StringBuilder sb = new StringBuilder();
        sb.append("model ").append(artifact.versionId()).append('\n');
        sb.append("  learner:            ").append(artifact.learnerName()).append('\n');
        sb.append("  created:            ").append(artifact.createdAt()).append('\n');
        String fp = artifact.trainingFingerprint();
        // A plain dataset fingerprint is bare hex; a prior's names its sources itself.
        sb.append("  training data:      ")
                .append(fp.matches("[0-9a-f]{64}") ? "sha256 " + fp : fp)
                .append('\n');
        sb.append("  features:           ").append(artifact.schema()).append('\n');
        sb.append("  hyper-parameters:   ").append(artifact.hyperParameters()).append('\n');
        if (!artifact.validation().isEmpty()) {
            sb.append("  validation:\n");
            for (Map.Entry<String, Double> e : artifact.validation().entrySet()) {
                sb.append(String.format(Locale.ROOT, "    %-28s %.4f%n", e.getKey(), e.getValue()));
            }
        }
        List<String> names = artifact.schema().names();
        MigrationModel model = artifact.model();
        for (ModelArtifact.CellInfo cell : artifact.cells()) {
            Algorithm a = cell.algorithm();
            Target t = cell.target();
            sb.append('\n')
                    .append(a.shortName())
                    .append(' ')
                    .append(t)
                    .append(" (")
                    .append(t.description())
                    .append("), fitted as ")
                    .append(cell.transform())
                    .append('\n');
            sb.append(importance(model, a, t, names));
            if (withProvenance) {
                sb.append("  provenance:\n");
                for (String line : cell.provenance().split("\n")) {
                    sb.append("    ").append(line).append('\n');
                }
            }
        }
        return sb.toString();
    }

    /** Feature importance lines for one cell. */
    static String importance(MigrationModel model, Algorithm a, Target t, List<String> names) {
        StringBuilder sb = new StringBuilder();
        if (model instanceof CalibratedModel k) {
            List<String> parts = new ArrayList<>();
            if (k.replaced(a, t)) {
                parts.add("the fleet's median instead of the prior");
            } else {
                if (k.pooled(t) != null) {
                    parts.add("fleet-wide " + t + " correction");
                }
                if (k.offset(a, t) != 0) {
                    parts.add(String.format(Locale.ROOT, "constant offset %+.3f", k.offset(a, t)));
                }
            }
            if (k.correction().compiledTrees(a, t) != null) {
                parts.add("cell trees");
            }
            sb.append(String.format(
                    Locale.ROOT,
                    "  calibrated on %d fleet rows: %s; the prior %s:%n",
                    k.fleetRows(a, t),
                    !k.corrected(a, t) ? "prior unchanged" : String.join(" + ", parts),
                    k.prior().versionId()));
            sb.append(importance(k.prior().model(), a, t, names));
        } else if (model instanceof GradientBoostedModel) {
            GradientBoostedModel g = (GradientBoostedModel) model;
            CompiledTrees trees = g.compiledTrees(a, t);
            double[] gain = trees.gainByFeature();
            int[] splits = trees.splitsByFeature();
            double total = 0;
            for (double v : gain) {
                total += v;
            }
            sb.append(String.format(
                    Locale.ROOT,
                    "  %d trees, %d nodes; importance = share of split gain:%n",
                    trees.trees(),
                    trees.nodes()));
            for (int i : order(gain)) {
                sb.append(String.format(
                        Locale.ROOT,
                        "    %-12s %5.1f %%  (%d splits)%n",
                        names.get(i),
                        total > 0 ? 100 * gain[i] / total : 0,
                        splits[i]));
            }
            if (g.offset(a, t) != null) {
                sb.append("    trees correct the analytic estimate ")
                        .append(AnalyticOffset.sourceFeature(t).displayName())
                        .append(" (log ratio)\n");
            }
        } else if (model instanceof SvrBaggingModel) {
            SvrBag bag = ((SvrBaggingModel) model).bag(a, t);
            double[] use = new double[names.size()];
            int sv = 0;
            for (SvrEstimator e : bag.estimators()) {
                for (int f : e.schemaFeatures()) {
                    use[f]++;
                }
                sv += e.supportVectors();
            }
            sb.append(String.format(
                    Locale.ROOT,
                    "  %d RBF SVRs, %d support vectors; a kernel model has no intrinsic importance, "
                            + "shown is the share of estimators using each feature:%n",
                    bag.estimators().size(),
                    sv));
            for (int i : order(use)) {
                sb.append(String.format(
                        Locale.ROOT,
                        "    %-12s %5.1f %%%n",
                        names.get(i),
                        100 * use[i] / bag.estimators().size()));
            }
        } else {
            sb.append("  analytic geometric series: VM size, dirty rate and PTR only (no fitted weights)\n");
        }
        return sb.toString();
    }

    private static List<Integer> order(double[] v) {
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < v.length; i++) {
            idx.add(i);
        }
        idx.sort((x, y) -> Double.compare(v[y], v[x]));
        return idx;
    }
}
