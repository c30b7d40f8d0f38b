package io.lmadvisor.model;

/** The six predicted migration figures, with the units the CSAP dataset uses. */
public enum Target {
    TT("qemu_tt", "total migration time, ms"),
    DT("qemu_dt", "downtime, ms"),
    TD("qemu_td", "total transferred data, bytes"),
    PERF("performance", "performance degradation of the VM, relative"),
    CPU("used_cpu_src", "additional CPU used on the source, percent"),
    MEM("used_mem_src", "additional memory used on the source, MB");

    private final String csapColumn;
    private final String description;

    Target(String csapColumn, String description) {
        this.csapColumn = csapColumn;
        this.description = description;
    }

    public String csapColumn() {
        return csapColumn;
    }

    public String description() {
        return description;
    }
}
