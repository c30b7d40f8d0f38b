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
 */
public final class MockSchemaRegistry implements SchemaRegistry {

  public static final String URL_PREFIX = "mock://";

  private static final ConcurrentHashMap<String, MockSchemaRegistry> SCOPES =
      new ConcurrentHashMap<>();

  private final String scope;
  // Keyed by schema text, as Confluent does, so a doc change is a new version.
  private final Map<String, Integer> idsByText = new HashMap<>();
  private final Map<Integer, Schema> schemasById = new HashMap<>();
  private final Map<String, List<Integer>> versionsBySubject = new HashMap<>();
  private final Map<String, CompatibilityLevel> levelBySubject = new HashMap<>();
  private CompatibilityLevel globalLevel = CompatibilityLevel.BACKWARD;
  private int nextId = 1;

  /** A private registry, not reachable through a mock:// URL. */
  public MockSchemaRegistry() {
    this(null);
  }

  private MockSchemaRegistry(String scope) {
    this.scope = scope;
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
    int id = existing != null ? existing : allocate(text);
    versionsBySubject.computeIfAbsent(subject, s -> new ArrayList<>()).add(id);
    return id;
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

  private int allocate(String text) {
    int id = nextId++;
    idsByText.put(text, id);
    // Hand out a parsed copy, as a remote registry would, not the caller's instance.
    schemasById.put(id, new Schema.Parser().parse(text));
    return id;
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
