package io.streamrag.schemas.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

/**
 * Every schema version that streamrag has ever written, loaded once from the classpath resources
 * {@code io/streamrag/schemas/history/<Name>-v<n>.avsc} (self-contained, numbered from 1 without gaps).
 *
 * <p>Data written with an old version stays on compacted topics for ever, so a reader must keep
 * knowing every old writer schema: a schema change adds a new file here and never edits an old one.
 * {@code SchemaHistoryTest} fails when the current schema is not the latest version or is not
 * compatible in both directions with every earlier one.
 *
 * <p>Immutable and thread-safe; the catalog is read once, when this class initialises.
 */
public final class SchemaHistory {

  /** Classpath directory of the history files. */
  public static final String RESOURCE_DIRECTORY = "io/streamrag/schemas/history/";

  /** The Avro namespace of every streamrag schema. */
  public static final String NAMESPACE = "io.streamrag.schemas";

  /** Simple names of the schemas in {@code src/main/avro}; each must have a history. */
  public static final List<String> SCHEMA_NAMES = List.of(
      "Citation", "ControlEvent", "DeadLetter", "DocumentEvent", "DocumentOp",
      "IndexChange", "QueryRequest", "QueryResponse");

  /** One historical version of one schema. */
  public record Version(String fullName, int number, Schema schema, long fingerprint) {
    /** {@code "DocumentEvent v2"}. */
    public String label() {
      return fullName.substring(fullName.lastIndexOf('.') + 1) + " v" + number;
    }
  }

  private static final class Catalog {
    /** Full name → versions in order v1..vn. */
    static final Map<String, List<Version>> BY_NAME = load();
  }

  private SchemaHistory() {}

  /**
   * The versions of the named schema, oldest first; empty for a type that has no history files.
   *
   * @param fullName the Avro full name, e.g. {@code io.streamrag.schemas.DocumentEvent}
   */
  public static List<Version> versionsOf(String fullName) {
    return Catalog.BY_NAME.getOrDefault(fullName, List.of());
  }

  /** The version of any streamrag schema whose parsing fingerprint is {@code fingerprint}, if any. */
  public static Optional<Version> findByFingerprint(long fingerprint) {
    return Catalog.BY_NAME.values().stream()
        .flatMap(List::stream)
        .filter(v -> v.fingerprint() == fingerprint)
        .findFirst();
  }

  /**
   * Reads {@code <simpleName>-v1.avsc}, {@code -v2.avsc}, ... until the first missing number.
   *
   * @throws IllegalStateException if a file does not parse or declares another schema
   */
  public static List<Version> load(ClassLoader loader, String simpleName) {
    String fullName = NAMESPACE + "." + simpleName;
    List<Version> versions = new ArrayList<>();
    for (int n = 1; ; n++) {
      String resource = RESOURCE_DIRECTORY + simpleName + "-v" + n + ".avsc";
      try (InputStream in = loader.getResourceAsStream(resource)) {
        if (in == null) {
          return List.copyOf(versions);
        }
        Schema schema;
        try {
          schema = new Schema.Parser().parse(in);
        } catch (RuntimeException e) {
          throw new IllegalStateException("history schema " + resource + " does not parse: " + e.getMessage(), e);
        }
        if (!schema.getFullName().equals(fullName)) {
          throw new IllegalStateException("history schema " + resource + " declares "
              + schema.getFullName() + ", expected " + fullName);
        }
        versions.add(new Version(fullName, n, schema, SchemaNormalization.parsingFingerprint64(schema)));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read history schema " + resource, e);
      }
    }
  }

  private static Map<String, List<Version>> load() {
    ClassLoader loader = SchemaHistory.class.getClassLoader();
    Map<String, List<Version>> byName = new LinkedHashMap<>();
    for (String name : SCHEMA_NAMES) {
      byName.put(NAMESPACE + "." + name, load(loader, name));
    }
    return Map.copyOf(byName);
  }
}
