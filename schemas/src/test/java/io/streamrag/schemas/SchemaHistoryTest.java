package io.streamrag.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamrag.schemas.internal.SchemaHistory;
import io.streamrag.schemas.internal.SchemaHistory.Version;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.specific.SpecificData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Guards schema evolution. Data on compacted topics lives for ever, so every schema that was ever
 * written must stay readable: a change to {@code src/main/avro/X.avsc} must add
 * {@code src/main/resources/io/streamrag/schemas/history/X-v<n+1>.avsc} (a self-contained copy), and
 * the current schema must be fully compatible (reads and is read by) every earlier version.
 */
class SchemaHistoryTest {

  private static final Path AVRO_SOURCES = Path.of("src/main/avro");
  private static final Path HISTORY = Path.of("src/main/resources").resolve(SchemaHistory.RESOURCE_DIRECTORY);
  private static final Pattern HISTORY_FILE = Pattern.compile("([A-Za-z0-9_]+)-v([1-9][0-9]*)\\.avsc");

  static Stream<String> schemaNames() throws IOException {
    try (Stream<Path> files = Files.list(AVRO_SOURCES)) {
      return files.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".avsc"))
          .map(n -> n.substring(0, n.length() - ".avsc".length()))
          .sorted()
          .toList()
          .stream();
    }
  }

  private static Schema currentSchema(String name) throws ClassNotFoundException {
    return SpecificData.get().getSchema(Class.forName(SchemaHistory.NAMESPACE + "." + name));
  }

  private static List<Version> history(String name) {
    return SchemaHistory.versionsOf(SchemaHistory.NAMESPACE + "." + name);
  }

  @Test
  void everySchemaSourceIsInTheHistoryCatalog() throws IOException {
    assertThat(schemaNames().toList()).containsExactlyInAnyOrderElementsOf(SchemaHistory.SCHEMA_NAMES);
  }

  @Test
  void everyHistoryFileIsWellNamedAndLoaded() throws IOException {
    List<String> onDisk;
    try (Stream<Path> files = Files.list(HISTORY)) {
      onDisk = files.map(p -> p.getFileName().toString()).sorted().toList();
    }
    List<String> loaded = new ArrayList<>();
    for (String name : SchemaHistory.SCHEMA_NAMES) {
      history(name).forEach(v -> loaded.add(name + "-v" + v.number() + ".avsc"));
    }
    for (String file : onDisk) {
      Matcher m = HISTORY_FILE.matcher(file);
      assertThat(m.matches()).as("%s must be named <Schema>-v<n>.avsc", file).isTrue();
    }
    assertThat(loaded)
        .as("history files must be numbered from v1 without gaps, for schemas listed in SchemaHistory")
        .containsExactlyInAnyOrderElementsOf(onDisk);
  }

  @ParameterizedTest
  @MethodSource("schemaNames")
  void latestHistoryVersionIsTheCurrentSchema(String name) throws Exception {
    List<Version> versions = history(name);
    assertThat(versions).as("%s has no history: add %s-v1.avsc under %s", name, name, HISTORY).isNotEmpty();
    Version latest = versions.get(versions.size() - 1);

    assertThat(SchemaNormalization.parsingFingerprint64(currentSchema(name)))
        .as("%s changed since %s: check compatibility, then copy the expanded current schema to %s",
            name, latest.label(), HISTORY.resolve(name + "-v" + (latest.number() + 1) + ".avsc"))
        .isEqualTo(latest.fingerprint());
  }

  @ParameterizedTest
  @MethodSource("schemaNames")
  void currentSchemaReadsEveryHistoryVersion(String name) throws Exception {
    Schema current = currentSchema(name);
    for (Version v : history(name)) {
      assertThat(incompatibilities(current, v.schema()))
          .as("current %s must read data written with %s", name, v.label())
          .isEmpty();
    }
  }

  @ParameterizedTest
  @MethodSource("schemaNames")
  void everyHistoryVersionReadsTheCurrentSchema(String name) throws Exception {
    Schema current = currentSchema(name);
    for (Version v : history(name)) {
      assertThat(incompatibilities(v.schema(), current))
          .as("readers still on %s must read data written with the current %s", v.label(), name)
          .isEmpty();
    }
  }

  @Test
  void compatibilityCheckCatchesIncompatibleChanges() throws Exception {
    Schema v1 = history("DocumentEvent").get(0).schema();
    Schema requiredFieldAdded = new Schema.Parser().parse(v1.toString().replace(
        "{\"name\":\"eventTime\"", "{\"name\":\"tenant\",\"type\":\"string\"},{\"name\":\"eventTime\""));
    Schema opSymbolRemoved = new Schema.Parser().parse(v1.toString().replace("\"UPSERT\",", ""));

    assertThat(incompatibilities(requiredFieldAdded, v1)).singleElement().asString()
        .contains("READER_FIELD_MISSING_DEFAULT").contains("tenant");
    assertThat(incompatibilities(opSymbolRemoved, v1)).singleElement().asString()
        .contains("MISSING_ENUM_SYMBOLS").contains("UPSERT");
  }

  @Test
  void loadsVersionsInOrderAndRejectsAMisnamedFile(@TempDir Path dir) throws Exception {
    Path history = Files.createDirectories(dir.resolve(SchemaHistory.RESOURCE_DIRECTORY));
    String v1 = "{\"type\":\"record\",\"name\":\"Probe\",\"namespace\":\"io.streamrag.schemas\","
        + "\"fields\":[{\"name\":\"a\",\"type\":\"int\"}]}";
    String v2 = v1.replace("]}", ",{\"name\":\"b\",\"type\":\"int\",\"default\":0}]}");
    Files.writeString(history.resolve("Probe-v1.avsc"), v1);
    Files.writeString(history.resolve("Probe-v2.avsc"), v2);
    Files.writeString(history.resolve("Probe-v4.avsc"), v2); // after a gap: not reached
    Files.writeString(history.resolve("Wrong-v1.avsc"), v1);

    try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, null)) {
      assertThat(SchemaHistory.load(loader, "Probe")).extracting(Version::number).containsExactly(1, 2);
      assertThat(SchemaHistory.load(loader, "Absent")).isEmpty();
      assertThatThrownBy(() -> SchemaHistory.load(loader, "Wrong"))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("declares io.streamrag.schemas.Probe, expected io.streamrag.schemas.Wrong");
    }
  }

  private static List<String> incompatibilities(Schema reader, Schema writer) {
    SchemaCompatibility.SchemaPairCompatibility result =
        SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
    if (result.getType() == SchemaCompatibilityType.COMPATIBLE) {
      return List.of();
    }
    return result.getResult().getIncompatibilities().stream()
        .map(i -> i.getType() + " at " + i.getLocation() + ": " + i.getMessage())
        .collect(Collectors.toList());
  }
}
