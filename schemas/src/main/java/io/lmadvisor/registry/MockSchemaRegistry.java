package io.lmadvisor.registry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;

/**
 * In-process registry for tests and single-JVM demos, selected with
 * {@code schema.registry.url=mock://<scope>}. Instances are shared per scope so a producer, a
 * Streams app and a consumer in one JVM see the same ids. Behaves like the REST registry:
 * global ids (one id per distinct schema text, across subjects), per-subject versions and
 * compatibility levels (global default BACKWARD), and the same exception types.
 *
 * <p>With a {@link Journal} it is also the state of a durable registry: every change goes to the
 * journal before it takes effect, and {@link #restoreVersion}/{@link #restoreCompatibility} replay
 * a stored journal at start-up.
 */
public final class MockSchemaRegistry implements SchemaRegistry {

    public static final String URL_PREFIX = "mock://";

    private static final ConcurrentHashMap<String, MockSchemaRegistry> SCOPES = new ConcurrentHashMap<>();

    /** Stores a change before the registry applies it; throws to refuse it. */
    public interface Journal {
        void schemaVersion(String subject, int version, int id, String schemaText);

        void compatibility(String subjectOrNullForGlobal, String level);
    }

    private static final Journal NO_JOURNAL = new Journal() {
        @Override
        public void schemaVersion(String subject, int version, int id, String schemaText) {}

        @Override
        public void compatibility(String subjectOrNullForGlobal, String level) {}
    };

    private final String scope;
    private final Journal journal;
    // Keyed by schema text, as Confluent does, so a doc change is a new version.
    private final Map<String, Integer> idsByText = new HashMap<>();
    private final Map<Integer, Schema> schemasById = new HashMap<>();
    private final Map<String, List<Integer>> versionsBySubject = new HashMap<>();
    private final Map<String, CompatibilityLevel> levelBySubject = new HashMap<>();
    private CompatibilityLevel globalLevel = CompatibilityLevel.BACKWARD;
    private int nextId = 1;

    /** A private registry, not reachable through a mock:// URL. */
    public MockSchemaRegistry() {
        this((String) null);
    }

    /** A private registry whose changes go to {@code journal} first. */
    public MockSchemaRegistry(Journal journal) {
        this.scope = null;
        this.journal = Objects.requireNonNull(journal, "journal");
    }

    private MockSchemaRegistry(String scope) {
        this.scope = scope;
        this.journal = NO_JOURNAL;
    }

    /** The shared registry of a scope, created on first use. */
    public static MockSchemaRegistry forScope(String scope) {
        Objects.requireNonNull(scope, "scope");
        return SCOPES.computeIfAbsent(scope, MockSchemaRegistry::new);
    }

    /** Forgets a scope; the next {@link #forScope} starts empty. */
    public static void drop(String scope) {
        SCOPES.remove(scope);
    }

    /** Scope name, or null for a private instance. */
    public String scope() {
        return scope;
    }

    @Override
    public synchronized int register(String subject, Schema schema) {
        requireSubject(subject);
        String text = schema.toString();
        List<Integer> versions = versionsBySubject.getOrDefault(subject, List.of());
        Integer existing = idsByText.get(text);
        if (existing != null && versions.contains(existing)) {
            return existing;
        }
        List<String> problems = levelOf(subject).check(schema, schemasOf(versions));
        if (!problems.isEmpty()) {
            throw new IncompatibleSchemaException("Schema being registered is incompatible with an"
                    + " earlier schema for subject \"" + subject + "\": " + String.join("; ", problems));
        }
        int id = existing != null ? existing : nextId;
        journal.schemaVersion(subject, versions.size() + 1, id, text);
        if (existing == null) {
            allocate(id, text);
        }
        versionsBySubject.computeIfAbsent(subject, s -> new ArrayList<>()).add(id);
        return id;
    }

    /**
     * Replays a stored version (no compatibility check, no journal). A version stored again
     * replaces the earlier one; a deleted one keeps only its id, which is never handed out again.
     */
    public synchronized void restoreVersion(String subject, int version, int id, String schemaText, boolean deleted) {
        requireSubject(subject);
        if (version < 1 || id < 0) {
            throw new IllegalArgumentException("version must be >= 1 and id >= 0");
        }
        if (!schemasById.containsKey(id)) {
            allocate(id, schemaText);
        }
        if (deleted) {
            return;
        }
        List<Integer> versions = versionsBySubject.computeIfAbsent(subject, s -> new ArrayList<>());
        if (version <= versions.size()) {
            versions.set(version - 1, id);
        } else if (version == versions.size() + 1) {
            versions.add(id);
        } else {
            throw new IllegalArgumentException(
                    "version " + version + " of " + subject + " follows version " + versions.size());
        }
    }

    /** Replays a stored compatibility level (no journal). */
    public synchronized void restoreCompatibility(String subjectOrNullForGlobal, String level) {
        apply(subjectOrNullForGlobal, CompatibilityLevel.parse(level));
    }

    /** The level set on the subject itself, or null when it follows the global level. */
    public synchronized String configuredCompatibility(String subject) {
        CompatibilityLevel level = levelBySubject.get(subject);
        return level == null ? null : level.name();
    }

    @Override
    public synchronized Schema getById(int id) {
        Schema schema = schemasById.get(id);
        if (schema == null) {
            throw new SchemaNotFoundException("Schema " + id + " not found");
        }
        return schema;
    }

    @Override
    public synchronized int getIdFor(String subject, Schema schema) {
        List<Integer> versions = versionsBySubject.get(subject);
        if (versions == null) {
            throw new SubjectNotFoundException("Subject '" + subject + "' not found.");
        }
        Integer id = idsByText.get(schema.toString());
        if (id == null || !versions.contains(id)) {
            throw new SchemaNotFoundException("Schema not found under subject '" + subject + "'");
        }
        return id;
    }

    @Override
    public synchronized boolean testCompatibility(String subject, Schema schema) {
        requireSubject(subject);
        List<Integer> versions = versionsBySubject.getOrDefault(subject, List.of());
        return levelOf(subject).check(schema, schemasOf(versions)).isEmpty();
    }

    @Override
    public synchronized String getCompatibility(String subjectOrNullForGlobal) {
        return (subjectOrNullForGlobal == null ? globalLevel : levelOf(subjectOrNullForGlobal)).name();
    }

    @Override
    public synchronized void setCompatibility(String subjectOrNullForGlobal, String level) {
        CompatibilityLevel parsed = CompatibilityLevel.parse(level);
        journal.compatibility(subjectOrNullForGlobal, parsed.name());
        apply(subjectOrNullForGlobal, parsed);
    }

    private void apply(String subjectOrNullForGlobal, CompatibilityLevel parsed) {
        if (subjectOrNullForGlobal == null) {
            globalLevel = parsed;
        } else {
            levelBySubject.put(subjectOrNullForGlobal, parsed);
        }
    }

    /** Subjects with at least one version, sorted. */
    public synchronized List<String> subjects() {
        return List.copyOf(new TreeSet<>(versionsBySubject.keySet()));
    }

    /** Ids registered under a subject, oldest version first; empty when unknown. */
    public synchronized List<Integer> versionIds(String subject) {
        return List.copyOf(versionsBySubject.getOrDefault(subject, List.of()));
    }

    private void allocate(int id, String text) {
        // Hand out a parsed copy, as a remote registry would, not the caller's instance.
        schemasById.put(id, new Schema.Parser().parse(text));
        idsByText.putIfAbsent(text, id);
        nextId = Math.max(nextId, id + 1);
    }

    private CompatibilityLevel levelOf(String subject) {
        return levelBySubject.getOrDefault(subject, globalLevel);
    }

    private List<Schema> schemasOf(List<Integer> ids) {
        List<Schema> schemas = new ArrayList<>(ids.size());
        for (int id : ids) {
            schemas.add(schemasById.get(id));
        }
        return schemas;
    }

    private static void requireSubject(String subject) {
        if (subject == null || subject.isBlank()) {
            throw new IllegalArgumentException("subject must not be blank");
        }
    }

    @Override
    public String toString() {
        return "MockSchemaRegistry[" + (scope == null ? "private" : URL_PREFIX + scope) + "]";
    }
}
