package io.lmadvisor.model.eval;

import io.lmadvisor.model.Algorithm;
import io.lmadvisor.model.Target;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Per-cell errors of one model, in Algorithm then Target order. */
public record EvaluationReport(String modelName, List<CellEvaluation> cells) {
    public static final String CSV_HEADER = "model,algorithm,metric,gMRE,gMAE,medianRE,p90RE,n";

    public EvaluationReport {
        cells = List.copyOf(cells);
    }

    public Optional<CellEvaluation> cell(Algorithm algorithm, Target target) {
        return cells.stream()
                .filter(c -> c.algorithm() == algorithm && c.target() == target)
                .findFirst();
    }

    /** Header plus one line per cell; ratios with 4 decimals, gMAE with 4 significant digits. */
    public String toCsv() {
        StringBuilder sb = new StringBuilder(CSV_HEADER).append('\n');
        String model = csvField(modelName);
        for (CellEvaluation c : cells) {
            sb.append(model)
                    .append(',')
                    .append(c.algorithm().shortName())
                    .append(',')
                    .append(c.target().name())
                    .append(',')
                    .append(ratio(c.gMRE()))
                    .append(',')
                    .append(String.format(Locale.ROOT, "%.4g", c.gMAE()))
                    .append(',')
                    .append(ratio(c.medianRE()))
                    .append(',')
                    .append(ratio(c.p90RE()))
                    .append(',')
                    .append(c.n())
                    .append('\n');
        }
        return sb.toString();
    }

    /** A GitHub-flavoured table for docs. */
    public String toMarkdown() {
        StringBuilder sb = new StringBuilder();
        sb.append("| model | algorithm | metric | gMRE | gMAE | medianRE | p90RE | n |\n");
        sb.append("|---|---|---|---:|---:|---:|---:|---:|\n");
        String model = modelName.replace("|", "\\|");
        for (CellEvaluation c : cells) {
            sb.append("| ")
                    .append(model)
                    .append(" | ")
                    .append(c.algorithm().shortName())
                    .append(" | ")
                    .append(c.target().name())
                    .append(" | ")
                    .append(ratio(c.gMRE()))
                    .append(" | ")
                    .append(String.format(Locale.ROOT, "%.4g", c.gMAE()))
                    .append(" | ")
                    .append(ratio(c.medianRE()))
                    .append(" | ")
                    .append(ratio(c.p90RE()))
                    .append(" | ")
                    .append(c.n())
                    .append(" |\n");
        }
        return sb.toString();
    }

    private static String ratio(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }

    private static String csvField(String s) {
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0) {
            return s;
        }
        return '"' + s.replace("\"", "\"\"") + '"';
    }
}
