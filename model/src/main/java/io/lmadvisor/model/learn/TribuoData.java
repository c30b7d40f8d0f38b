package io.lmadvisor.model.learn;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.tribuo.MutableDataset;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuo.regression.RegressionFactory;
import org.tribuo.regression.Regressor;

/** Converts feature rows into Tribuo examples. Absent (NaN) features are left out, so XGBoost sees them as missing. */
public final class TribuoData {
    /** Tribuo's output dimension name for our single-target models. */
    public static final String DIMENSION = "y";
    /** Fixed so that identical data gives identical provenance (and artifact hashes). */
    private static final OffsetDateTime EPOCH = OffsetDateTime.of(2016, 5, 1, 0, 0, 0, 0, ZoneOffset.UTC);

    private TribuoData() {}

    public static MutableDataset<Regressor> dataset(String description, String[] names, double[][] x, double[] y) {
        return dataset(description, names, x, y, null);
    }

    /** As above with per-row weights (null = all 1). */
    public static MutableDataset<Regressor> dataset(
            String description, String[] names, double[][] x, double[] y, double[] weights) {
        RegressionFactory factory = new RegressionFactory();
        MutableDataset<Regressor> ds =
                new MutableDataset<>(new SimpleDataSourceProvenance(description, EPOCH, factory), factory);
        for (int i = 0; i < y.length; i++) {
            ArrayExample<Regressor> e = example(names, x[i], y[i]);
            if (weights != null) {
                e.setWeight((float) weights[i]);
            }
            ds.add(e);
        }
        return ds;
    }

    public static ArrayExample<Regressor> example(String[] names, double[] row, double y) {
        List<String> n = new ArrayList<>(names.length);
        List<Double> v = new ArrayList<>(names.length);
        for (int j = 0; j < names.length; j++) {
            if (!Double.isNaN(row[j])) {
                n.add(names[j]);
                v.add(row[j]);
            }
        }
        double[] vals = new double[v.size()];
        for (int j = 0; j < vals.length; j++) {
            vals[j] = v.get(j);
        }
        return new ArrayExample<>(new Regressor(DIMENSION, y), n.toArray(new String[0]), vals);
    }

    /** An unlabelled example for prediction with the Tribuo model itself (tests and checks, not the hot path). */
    public static ArrayExample<Regressor> example(String[] names, double[] row) {
        return example(names, row, Double.NaN);
    }
}
