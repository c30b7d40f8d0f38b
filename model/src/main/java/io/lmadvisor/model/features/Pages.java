package io.lmadvisor.model.features;

import io.lmadvisor.model.Units;

/**
 * Guest memory pages and memory MB, which are MiB: the names the agent uses. The conversions themselves are
 * {@link Units}'; never use these for link bandwidths.
 */
public final class Pages {
    public static final double PAGE_BYTES = Units.PAGE_BYTES;
    public static final double BYTES_PER_MB = Units.BYTES_PER_MIB;
    public static final double PAGES_PER_MB = Units.PAGES_PER_MIB;

    private Pages() {}

    public static double toMb(double pages) {
        return Units.mibOfPages(pages);
    }

    public static double fromMb(double mb) {
        return Units.pagesOfMib(mb);
    }
}
