package io.lmadvisor.model;

import java.util.Locale;

/** Workload types of the CSAP dataset, in the order of its workload codes 0–8. */
public enum Workload {
    IDLE,
    SYNTHETIC,
    SPECWEB,
    OLTP,
    MEMCACHED,
    DACAPO,
    PARSEC,
    BZIP,
    MPLAYER;

    private static final Workload[] BY_CODE = values();

    public int code() {
        return ordinal();
    }

    public static Workload fromCode(int code) {
        if (code < 0 || code >= BY_CODE.length) {
            throw new IllegalArgumentException("unknown workload code " + code + " (expected 0-8)");
        }
        return BY_CODE[code];
    }

    /** Accepts enum names and the csap-subset names ("mem" is the synthetic memory writer). */
    public static Workload parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("mem")) {
            return SYNTHETIC;
        }
        for (Workload w : BY_CODE) {
            if (w.name().toLowerCase(Locale.ROOT).equals(t)) {
                return w;
            }
        }
        throw new IllegalArgumentException("unknown workload '" + text + "'");
    }
}
