package io.lmadvisor.streams.state;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;

/**
 * Every committed version of each internal state schema, {@code state-schemas/<Name>/v<N>.avsc} on the class
 * path, oldest first. The newest is the current schema; {@code StateSchemaHistoryTest} keeps it so, and checks
 * that the current schema reads every older version.
 */
public final class StateSchemas {
    static final String ROOT = "state-schemas/";

    private StateSchemas() {}

    /** The committed versions of {@code current}'s schema, v1 first; the last equals {@code current}. */
    public static List<Schema> history(Schema current) {
        List<Schema> versions = new ArrayList<>();
        for (int v = 1; ; v++) {
            try (InputStream in = StateSchemas.class
                    .getClassLoader()
                    .getResourceAsStream(ROOT + current.getName() + "/v" + v + ".avsc")) {
                if (in == null) {
                    break;
                }
                versions.add(new Schema.Parser().parse(in));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        if (versions.isEmpty() || !versions.get(versions.size() - 1).equals(current)) {
            throw new IllegalStateException("state schema " + current.getName() + " changed without a new snapshot in "
                    + ROOT + current.getName() + "/: add the next v<N>.avsc (see docs/OPERATIONS.md, \"Upgrading\")");
        }
        return List.copyOf(versions);
    }
}
