package io.streamrag.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DocumentEventsTest {

  @Test
  void upsertSetsEveryFieldAndTheCurrentTime() {
    Instant before = Instant.now().truncatedTo(ChronoUnit.MILLIS);

    DocumentEvent event = DocumentEvents.upsert("wiki", "docs/a.md", 3, "Title ü", "Text 日本語",
        Map.of("lang", "en"), "file:docs/a.md");

    Instant after = Instant.now();
    assertThat(event.getCollection()).isEqualTo("wiki");
    assertThat(event.getDocId()).isEqualTo("docs/a.md");
    assertThat(event.getVersion()).isEqualTo(3);
    assertThat(event.getOp()).isEqualTo(DocumentOp.UPSERT);
    assertThat(event.getTitle()).isEqualTo("Title ü");
    assertThat(event.getText()).isEqualTo("Text 日本語");
    assertThat(event.getMetadata()).isEqualTo(Map.of("lang", "en"));
    assertThat(event.getSource()).isEqualTo("file:docs/a.md");
    assertThat(event.getEventTime()).isBetween(before, after);
    assertThat(event.getEventTime().getNano() % 1_000_000).isZero();
    assertThat(AvroCodec.of(DocumentEvent.class).decode(AvroCodec.of(DocumentEvent.class).encode(event)))
        .isEqualTo(event);
  }

  @Test
  void upsertAllowsMissingOptionalParts() {
    DocumentEvent event = DocumentEvents.upsert("wiki", "d", 0, null, "", null, null);

    assertThat(event.getTitle()).isNull();
    assertThat(event.getSource()).isNull();
    assertThat(event.getMetadata()).isEmpty();
  }

  @Test
  void upsertCopiesMetadata() {
    Map<String, String> metadata = new HashMap<>(Map.of("k", "v"));

    DocumentEvent event = DocumentEvents.upsert("wiki", "d", 1, null, "t", metadata, null);
    metadata.put("later", "x");

    assertThat(event.getMetadata()).containsOnlyKeys("k");
  }

  @Test
  void deleteCarriesNoContent() {
    DocumentEvent event = DocumentEvents.delete("wiki", "d", 9);

    assertThat(event.getOp()).isEqualTo(DocumentOp.DELETE);
    assertThat(event.getVersion()).isEqualTo(9);
    assertThat(event.getText()).isNull();
    assertThat(event.getTitle()).isNull();
    assertThat(event.getMetadata()).isEmpty();
    assertThat(event.getEventTime()).isNotNull();
    assertThat(Topics.DOCUMENTS.valueSerde().deserializer()
        .deserialize("t", Topics.DOCUMENTS.valueSerde().serializer().serialize("t", event))).isEqualTo(event);
  }

  @Test
  void rejectsInvalidArgumentsNamingThem() {
    assertThatThrownBy(() -> DocumentEvents.upsert(null, "d", 1, null, "t", null, null))
        .hasMessageContaining("collection");
    assertThatThrownBy(() -> DocumentEvents.delete("wiki", "", 1)).hasMessageContaining("docId");
    assertThatThrownBy(() -> DocumentEvents.delete("wiki", "d", -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("version must be >= 0, got -1");
    assertThatThrownBy(() -> DocumentEvents.upsert("wiki", "d", 1, null, null, null, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("text");
    Map<String, String> withNull = new HashMap<>();
    withNull.put("k", null);
    assertThatThrownBy(() -> DocumentEvents.upsert("wiki", "d", 1, null, "t", withNull, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("metadata");
  }
}
