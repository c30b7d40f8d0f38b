package io.lmadvisor.agent.procfs;

import io.lmadvisor.model.features.Pages;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * Where a QEMU process keeps guest RAM in its address space: one or more virtual address ranges from
 * /proc/PID/maps, and how they were chosen.
 *
 * @param ranges    {start, end} virtual address pairs, end exclusive, page aligned
 * @param how       one line for logs: which rule chose the ranges and the mapping's path
 */
public record GuestRam(List<long[]> ranges, String how) {
    private static final long PAGE = (long) Pages.PAGE_BYTES;
    /** File-backed guest RAM as QEMU's memory backends create it (memory-backend-file/memfd, hugepages). */
    private static final Pattern BACKEND_PATH =
            Pattern.compile("^/dev/shm/|^/dev/hugepages|hugepages|memory-backend|qemu_back_mem|^/memfd:.*ram");

    public long totalPages() {
        long pages = 0;
        for (long[] r : ranges) {
            pages += (r[1] - r[0]) / PAGE;
        }
        return pages;
    }

    /** Virtual address of guest page {@code index} (0 .. totalPages-1), counting across the ranges in order. */
    public long pageAddress(long index) {
        long left = index;
        for (long[] r : ranges) {
            long pages = (r[1] - r[0]) / PAGE;
            if (left < pages) {
                return r[0] + left * PAGE;
            }
            left -= pages;
        }
        throw new IndexOutOfBoundsException("page " + index + " of " + totalPages());
    }

    /** One line of /proc/PID/maps. {@code path} is empty for anonymous memory. */
    public record Mapping(long start, long end, String perms, long inode, String path) {
        long bytes() {
            return end - start;
        }

        boolean readWrite() {
            return perms.length() >= 4 && perms.charAt(0) == 'r' && perms.charAt(1) == 'w';
        }

        boolean executable() {
            return perms.length() >= 3 && perms.charAt(2) == 'x';
        }

        boolean shared() {
            return perms.length() >= 4 && perms.charAt(3) == 's';
        }
    }

    /** Parses /proc/PID/maps; lines that do not parse are skipped. */
    public static List<Mapping> parseMaps(String maps) {
        List<Mapping> out = new ArrayList<>();
        for (String line : maps.split("\n")) {
            // start-end perms offset dev inode [path]; the path may contain spaces.
            String[] f = line.trim().split("\\s+", 6);
            if (f.length < 5) {
                continue;
            }
            int dash = f[0].indexOf('-');
            try {
                long start = Long.parseUnsignedLong(f[0].substring(0, dash), 16);
                long end = Long.parseUnsignedLong(f[0].substring(dash + 1), 16);
                long inode = Long.parseLong(f[4]);
                out.add(new Mapping(start, end, f[1], inode, f.length > 5 ? f[5].trim() : ""));
            } catch (RuntimeException e) {
                // Not a maps line.
            }
        }
        return out;
    }

    /**
     * Chooses guest RAM among the mappings: those whose path matches {@code override} when given; else a
     * QEMU memory-backend mapping (file/memfd/hugepages); else the anonymous or shared read-write,
     * non-executable region (adjacent pieces merged) closest above {@code ramBytesHint}, or the largest.
     * Executable mappings are skipped so TCG's code buffer is never taken for RAM.
     */
    public static Optional<GuestRam> locate(List<Mapping> maps, Pattern override, OptionalLong ramBytesHint) {
        if (override != null) {
            return largestByPath(
                    maps,
                    m -> m.perms().startsWith("r") && override.matcher(m.path()).find(),
                    "mapping path matches " + override.pattern());
        }
        Optional<GuestRam> backend = largestByPath(
                maps,
                m -> m.readWrite()
                        && !m.executable()
                        && BACKEND_PATH.matcher(m.path()).find(),
                "memory backend");
        if (backend.isPresent()) {
            return backend;
        }
        List<long[]> regions = new ArrayList<>();
        List<String> paths = new ArrayList<>();
        Mapping prev = null;
        for (Mapping m : maps) {
            boolean candidate = m.readWrite()
                    && !m.executable()
                    && (m.path().isEmpty() || m.shared())
                    && !m.path().startsWith("[");
            if (!candidate) {
                prev = null;
                continue;
            }
            // QEMU's RAM block can show as several adjacent VMAs (madvise flags differ per part): merge them.
            if (prev != null && prev.end() == m.start() && prev.path().equals(m.path())) {
                regions.get(regions.size() - 1)[1] = m.end();
            } else {
                regions.add(new long[] {m.start(), m.end()});
                paths.add(m.path());
            }
            prev = m;
        }
        if (regions.isEmpty()) {
            return Optional.empty();
        }
        int best = -1;
        if (ramBytesHint.isPresent()) {
            for (int i = 0; i < regions.size(); i++) {
                long size = regions.get(i)[1] - regions.get(i)[0];
                if (size >= ramBytesHint.getAsLong()
                        && (best < 0 || size < regions.get(best)[1] - regions.get(best)[0])) {
                    best = i;
                }
            }
        }
        String rule = best >= 0 ? "smallest anonymous/shared region holding -m" : "largest anonymous/shared region";
        if (best < 0) {
            best = 0;
            for (int i = 1; i < regions.size(); i++) {
                if (regions.get(i)[1] - regions.get(i)[0] > regions.get(best)[1] - regions.get(best)[0]) {
                    best = i;
                }
            }
        }
        String path = paths.get(best).isEmpty() ? "anonymous" : paths.get(best);
        return Optional.of(new GuestRam(List.of(regions.get(best)), rule + " (" + path + ")"));
    }

    private static Optional<GuestRam> largestByPath(
            List<Mapping> maps, java.util.function.Predicate<Mapping> keep, String rule) {
        Map<String, List<Mapping>> byFile = new LinkedHashMap<>();
        for (Mapping m : maps) {
            if (m.bytes() > 0 && keep.test(m)) {
                byFile.computeIfAbsent(m.path() + "\0" + m.inode(), k -> new ArrayList<>())
                        .add(m);
            }
        }
        return byFile.values().stream()
                .max(Comparator.comparingLong(
                        l -> l.stream().mapToLong(Mapping::bytes).sum()))
                .map(l -> new GuestRam(
                        l.stream().map(m -> new long[] {m.start(), m.end()}).toList(),
                        rule + " (" + l.get(0).path() + ")"));
    }
}
