package io.streamrag.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamrag.schemas.SchemaDecodingException.Reason;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DocumentEventJsonTest {

  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

  private static DocumentEvent decode(String json) {
    return DocumentEventJson.decode(json.getBytes(StandardCharsets.UTF_8), () -> NOW);
  }

  private static void assertInvalid(String json, String message) {
    assertThatThrownBy(() -> decode(json))
        .isInstanceOfSatisfying(SchemaDecodingException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.INVALID_JSON))
        .hasMessageContaining(message);
  }

  @Test
  void decodesEveryField() {
    DocumentEvent event = decode("{\"collection\":\"docs\",\"docId\":\"a/b.md\",\"version\":7,\"op\":\"upsert\","
        + "\"title\":\"T\",\"text\":\"Body\",\"metadata\":{\"lang\":\"en\"},\"source\":\"s3://x\","
        + "\"eventTime\":\"2025-06-01T10:00:00Z\"}");

    assertThat(event).isEqualTo(DocumentEvent.newBuilder().setCollection("docs").setDocId("a/b.md").setVersion(7)
        .setOp(DocumentOp.UPSERT).setTitle("T").setText("Body").setMetadata(Map.of("lang", "en"))
        .setSource("s3://x").setEventTime(Instant.parse("2025-06-01T10:00:00Z")).build());
  }

  @Test
  void appliesTheDefaults() {
    DocumentEvent event = decode("  {\"collection\":\"docs\",\"docId\":\"d\",\"version\":1,\"text\":\"x\"}\n");

    assertThat(event.getOp()).isEqualTo(DocumentOp.UPSERT);
    assertThat(event.getEventTime()).isEqualTo(NOW);
    assertThat(event.getMetadata()).isEmpty();
    assertThat(event.getTitle()).isNull();
    assertThat(decode("{\"collection\":\"c\",\"docId\":\"d\",\"version\":2,\"op\":\"DELETE\",\"eventTime\":5}"))
        .satisfies(e -> {
          assertThat(e.getOp()).isEqualTo(DocumentOp.DELETE);
          assertThat(e.getEventTime()).isEqualTo(Instant.ofEpochMilli(5));
        });
  }

  @Test
  void leavesMissingNamesToTheValidation() {
    DocumentEvent event = decode("{\"version\":1,\"text\":\"x\"}");

    assertThat(event.getCollection()).isEmpty();
    assertThat(event.getDocId()).isEmpty();
  }

  @Test
  void refusesWhatIsNotTheDocumentedShape() {
    assertInvalid("{\"collection\":\"c\",", "not valid JSON");
    assertInvalid("{\"collection\":\"c\",\"docId\":\"d\",\"version\":1} trailing", "not valid JSON");
    assertInvalid("[1]", "expected a JSON object");
    assertInvalid("{\"collection\":\"c\",\"docId\":\"d\",\"text\":\"x\"}", "version is missing");
    assertInvalid("{\"collection\":\"c\",\"docId\":\"d\",\"version\":-1}", "version must be an integer >= 0");
    assertInvalid("{\"collection\":\"c\",\"docId\":\"d\",\"version\":1.5}", "version must be an integer >= 0");
    assertInvalid("{\"collection\":\"c\",\"docId\":\"d\",\"version\":\"3\"}", "version must be an integer >= 0");
    assertInvalid("{\"collection\":\"c\",\"docId\":\"d\",\"version\":1,\"txt\":\"x\"}", "unknown field 'txt'");
    assertInvalid("{\"collection\":7,\"docId\":\"d\",\"version\":1}", "collection must be a string");
    assertInvalid("{\"collection\":\"c\",\"docId\":\"d\",\"version\":1,\"op\":\"MERGE\"}", "op must be UPSERT or DELETE");
    assertInvalid("{\"collection\":\"c\",\"docId\":\"d\",\"version\":1,\"metadata\":{\"n\":1}}",
        "metadata value of 'n' must be a string");
    assertInvalid("{\"collection\":\"c\",\"docId\":\"d\",\"version\":1,\"eventTime\":\"yesterday\"}",
        "eventTime must be ISO-8601");
  }

  @Test
  void tellsJsonFromAvro() {
    assertThat(DocumentEventJson.looksLikeJson(" \n{\"a\":1}".getBytes(StandardCharsets.UTF_8))).isTrue();
    assertThat(DocumentEventJson.looksLikeJson(AvroCodec.of(DocumentEvent.class)
        .encode(DocumentEvents.delete("c", "d", 1)))).isFalse();
    assertThat(DocumentEventJson.looksLikeJson(new byte[0])).isFalse();
    assertThat(DocumentEventJson.looksLikeJson(null)).isFalse();
  }
}
