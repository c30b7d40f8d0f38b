package io.lmadvisor.schemas;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityResult;
import org.apache.avro.SchemaFormatter;

/**
 * Committed schema versions under {@code src/test/resources/schema-history/<Name>/vN.avsc} and
 * the checks run on them. Snapshots are self-contained (named types inlined), as a registry
 * stores them, so each parses on its own.
 */
final class SchemaHistory {

    static final Path AVRO_DIR = Path.of("src/main/avro");
    static final Path HISTORY_DIR = Path.of("src/test/resources/schema-history");
    /** Set to true to write a new snapshot for each changed schema instead of failing. */
    static final String UPDATE_PROPERTY = "schema.history.update";

    /** Schemas other files refer to by name; parsed first, in this order (as the pom imports). */
    static final List<String> PARSE_FIRST =
            List.of("MigrationAlgorithm", "DirtyRateMethod", "AlgorithmPrediction", "MigrationSettings");

    private static final Pattern VERSION_FILE = Pattern.compile("v(\\d+)\\.avsc");

    record Version(int number, Path file, Schema schema) {}

    private SchemaHistory() {}

    /** Every .avsc under src/main/avro, parsed with one shared parser in dependency order. */
    static Map<String, Schema> currentSchemas() throws IOException {
        List<String> names = new ArrayList<>(PARSE_FIRST);
        try (Stream<Path> files = Files.list(AVRO_DIR)) {
            files.map(p -> p.getFileName().toString())
                    .filter(f -> f.endsWith(".avsc"))
                    .map(f -> f.substring(0, f.length() - ".avsc".length()))
                    .filter(n -> !PARSE_FIRST.contains(n))
                    .sorted()
                    .forEach(names::add);
        }
        Schema.Parser parser = new Schema.Parser();
        Map<String, Schema> schemas = new LinkedHashMap<>();
        for (String name : names) {
            Schema schema = parser.parse(AVRO_DIR.resolve(name + ".avsc").toFile());
            if (!schema.getName().equals(name)) {
                throw new IllegalStateException(name + ".avsc defines " + schema.getName());
            }
            schemas.put(name, schema);
        }
        return schemas;
    }

    /** Committed versions of a schema, oldest first; empty when there are none. */
    static List<Version> history(String name) throws IOException {
        Path dir = HISTORY_DIR.resolve(name);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Version> versions = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Matcher m = VERSION_FILE.matcher(file.getFileName().toString());
                if (!m.matches()) {
                    throw new IllegalStateException("Unexpected file in schema history: " + file);
                }
                versions.add(new Version(Integer.parseInt(m.group(1)), file, parse(file)));
            }
        }
        versions.sort(Comparator.comparingInt(Version::number));
        for (int i = 0; i < versions.size(); i++) {
            if (versions.get(i).number() != i + 1) {
                throw new IllegalStateException("Schema history of " + name + " has a gap before "
                        + versions.get(i).file());
            }
        }
        return versions;
    }

    static Schema parse(Path file) throws IOException {
        return new Schema.Parser().parse(Files.readString(file, StandardCharsets.UTF_8));
    }

    /**
     * BACKWARD check against every version: can {@code reader} read data written with each?
     *
     * @return one line per incompatibility; empty when compatible with all
     */
    static List<String> backwardProblems(Schema reader, List<Version> writers) {
        List<String> problems = new ArrayList<>();
        for (Version writer : writers) {
            SchemaCompatibilityResult result = SchemaCompatibility.checkReaderWriterCompatibility(
                            reader, writer.schema())
                    .getResult();
            for (Incompatibility i : result.getIncompatibilities()) {
                problems.add("cannot read v" + writer.number() + ": " + i.getType() + " at " + i.getLocation() + " ("
                        + i.getMessage() + ")");
            }
        }
        return problems;
    }

    /** Why the newest snapshot does not describe {@code current}, if it does not. */
    static Optional<String> snapshotMismatch(Schema current, List<Version> history) {
        if (history.isEmpty()) {
            return Optional.of("no snapshot committed");
        }
        Version newest = history.get(history.size() - 1);
        if (newest.schema().equals(current)) {
            return Optional.empty();
        }
        return Optional.of("differs from " + newest.file() + "; add v" + (newest.number() + 1)
                + ".avsc (run the build with -D" + UPDATE_PROPERTY + "=true)");
    }

    static boolean updateRequested() {
        return Boolean.getBoolean(UPDATE_PROPERTY);
    }

    /** Writes the next snapshot of a schema. */
    static Path writeNext(String name, Schema current, List<Version> history) throws IOException {
        Path file = HISTORY_DIR.resolve(name).resolve("v" + (history.size() + 1) + ".avsc");
        Files.createDirectories(file.getParent());
        Files.writeString(file, SchemaFormatter.format("json/pretty", current) + "\n", StandardCharsets.UTF_8);
        return file;
    }
}
