package io.lmadvisor.model;

/** QEMU live-migration algorithms, in the order of the CSAP dataset's capability codes 0–4. */
public enum Algorithm {
    PRECOPY("PRE"),
    AUTO_CONVERGE("THR"),
    XBZRLE("DLTC"),
    COMPRESS("DTC"),
    POSTCOPY("POST");

    private static final Algorithm[] BY_CODE = values();

    private final String shortName;

    Algorithm(String shortName) {
        this.shortName = shortName;
    }

    /** The dataset's capability code. */
    public int code() {
        return ordinal();
    }

    /** The paper's abbreviation, used in evaluation CSVs: PRE, THR, DLTC, DTC, POST. */
    public String shortName() {
        return shortName;
    }

    public static Algorithm fromCode(int code) {
        if (code < 0 || code >= BY_CODE.length) {
            throw new IllegalArgumentException("unknown capability code " + code + " (expected 0-4)");
        }
        return BY_CODE[code];
    }

    /** Accepts the enum name, the short name, or the csap-subset technique names. */
    public static Algorithm parse(String text) {
        String t = text.trim();
        for (Algorithm a : BY_CODE) {
            if (a.name().equalsIgnoreCase(t) || a.shortName.equalsIgnoreCase(t)) {
                return a;
            }
        }
        switch (t.toLowerCase(java.util.Locale.ROOT)) {
            case "original":
            case "pre-copy":
            case "precopy":
                return PRECOPY;
            case "auto-converge":
                return AUTO_CONVERGE;
            case "xbzrle":
                return XBZRLE;
            case "compress":
            case "multifd-compress":
                return COMPRESS;
            case "x-postcopy-ram":
            case "postcopy-ram":
            case "post-copy":
                return POSTCOPY;
            default:
                throw new IllegalArgumentException("unknown migration technique '" + text + "'");
        }
    }
}
