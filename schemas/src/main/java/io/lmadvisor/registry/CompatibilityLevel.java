package io.lmadvisor.registry;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityResult;

/** Schema-registry compatibility levels, with the Confluent meaning of each. */
public enum CompatibilityLevel {
    NONE(false, false, false),
    /** New schema can read data written with the latest one. */
    BACKWARD(true, false, false),
    BACKWARD_TRANSITIVE(true, false, true),
    /** Latest schema can read data written with the new one. */
    FORWARD(false, true, false),
    FORWARD_TRANSITIVE(false, true, true),
    FULL(true, true, false),
    FULL_TRANSITIVE(true, true, true);

    private final boolean backward;
    private final boolean forward;
    private final boolean transitive;

    CompatibilityLevel(boolean backward, boolean forward, boolean transitive) {
        this.backward = backward;
        this.forward = forward;
        this.transitive = transitive;
    }

    /**
     * Parses a level name, case-insensitively.
     *
     * @throws SchemaRegistryException with code 42203 for an unknown level
     */
    public static CompatibilityLevel parse(String level) {
        if (level != null) {
            try {
                return valueOf(level.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException ignored) {
                // reported below
            }
        }
        throw new SchemaRegistryException(
                "Invalid compatibility level: " + level, 422, SchemaRegistryException.INVALID_COMPATIBILITY_LEVEL);
    }

    /**
     * Checks a candidate against the versions already registered, oldest first.
     *
     * @return one line per problem; empty when the candidate may be registered
     */
    public List<String> check(Schema candidate, List<Schema> existingOldestFirst) {
        List<String> problems = new ArrayList<>();
        if (existingOldestFirst.isEmpty()) {
            return problems;
        }
        List<Schema> against =
                transitive ? existingOldestFirst : List.of(existingOldestFirst.get(existingOldestFirst.size() - 1));
        for (Schema existing : against) {
            if (backward) {
                describe(
                        SchemaCompatibility.checkReaderWriterCompatibility(candidate, existing)
                                .getResult(),
                        "new schema cannot read data written with an existing version",
                        problems);
            }
            if (forward) {
                describe(
                        SchemaCompatibility.checkReaderWriterCompatibility(existing, candidate)
                                .getResult(),
                        "an existing version cannot read data written with the new schema",
                        problems);
            }
        }
        return problems;
    }

    private static void describe(SchemaCompatibilityResult result, String direction, List<String> problems) {
        for (Incompatibility i : result.getIncompatibilities()) {
            problems.add(direction + ": " + i.getType() + " at " + i.getLocation() + " (" + i.getMessage() + ")");
        }
    }
}
