package io.lmadvisor.model.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

/** The dataset formats the readers understand, by their {@code --format} name. */
public enum DatasetFormat {
    /** The full CSAP CSV: every feature and target, CSAP units, coded algorithm and workload. */
    CSAP("csap"),
    /** CSAP plus {@code seed_number} and {@code sequence_number}. */
    CSAP512("csap512"),
    /** The public 10-column subset (size, dirty rate, transfer rate, TT/DT/TD). */
    CSAP_SUBSET("csap-subset");

    private final String cliName;

    DatasetFormat(String cliName) {
        this.cliName = cliName;
    }

    public String cliName() {
        return cliName;
    }

    /** Accepts the {@code --format} name or the enum name, any case. */
    public static DatasetFormat parse(String text) {
        String t = text.trim();
        for (DatasetFormat f : values()) {
            if (f.cliName.equalsIgnoreCase(t) || f.name().equalsIgnoreCase(t)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown dataset format '" + text + "' (expected one of "
                + Arrays.stream(values()).map(DatasetFormat::cliName).collect(Collectors.joining(", ")) + ")");
    }

    public DatasetReader reader() {
        switch (this) {
            case CSAP:
            case CSAP512:
                return new CsapReader(this);
            case CSAP_SUBSET:
                return new CsapSubsetReader();
            default:
                throw new AssertionError(this);
        }
    }

    public Dataset read(Path path, ReadOptions options) throws IOException {
        return reader().read(path, options);
    }

    /** Whether {@link CsapWriter} can write this format (the subset drops too much to be a target). */
    public boolean writable() {
        return this == CSAP || this == CSAP512;
    }

    @Override
    public String toString() {
        return cliName;
    }
}
