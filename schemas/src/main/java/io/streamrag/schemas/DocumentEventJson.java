package io.streamrag.schemas;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamrag.schemas.SchemaDecodingException.Reason;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The JSON shape of a {@link DocumentEvent}, for producers without Avro (kcat, any language): one JSON object per
 * record on {@code rag.documents}, next to Avro single-object encoded events.
 *
 * <pre>
 * {"collection": "docs", "docId": "guide.md", "version": 3, "op": "UPSERT",
 *  "title": "Guide", "text": "...", "metadata": {"lang": "en"}, "source": "s3://bucket/guide.md",
 *  "eventTime": "2026-01-31T12:00:00Z"}
 * </pre>
 *
 * <ul>
 *   <li>{@code collection}, {@code docId}: required strings (checked by the ingest job like any event).
 *   <li>{@code version}: required integer &ge; 0. The ingest job keeps, per document, only changes with a higher
 *       version than the last one it applied, so a producer must give every change of a document a higher
 *       version than the one before: a row version, an update counter or the change time in milliseconds.
 *       There is no default: a made-up version could silently undo a newer change or be ignored.
 *   <li>{@code op}: {@code UPSERT} (default) or {@code DELETE}, any case.
 *   <li>{@code text}: required for an upsert; {@code title}, {@code source}: optional strings.
 *   <li>{@code metadata}: optional object of string values.
 *   <li>{@code eventTime}: optional, ISO-8601 ({@code 2026-01-31T12:00:00Z}) or epoch milliseconds; default: when
 *       the record is decoded (freshness figures then leave out the time the record waited in Kafka).
 * </ul>
 *
 * <p>Any other field is refused, so that a misspelt field does not silently lose data. Thread-safe.
 */
public final class DocumentEventJson {

  private static final ObjectMapper MAPPER = new ObjectMapper()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private static final Set<String> FIELDS =
      Set.of("collection", "docId", "version", "op", "title", "text", "metadata", "source", "eventTime");

  private DocumentEventJson() {}

  /** Whether {@code payload} starts, after white space, with '{': a JSON object rather than Avro. */
  public static boolean looksLikeJson(byte[] payload) {
    if (payload == null) {
      return false;
    }
    for (byte b : payload) {
      if (b == ' ' || b == '\t' || b == '\r' || b == '\n') {
        continue;
      }
      return b == '{';
    }
    return false;
  }

  /**
   * Decodes one JSON document event. Missing or empty {@code collection} and {@code docId} become empty strings,
   * for the caller's validation to reject with its usual reasons.
   *
   * @param now the event time when the JSON has none
   * @throws SchemaDecodingException with reason {@link Reason#INVALID_JSON} naming the problem
   */
  public static DocumentEvent decode(byte[] payload, Supplier<Instant> now) {
    JsonNode root;
    try {
      root = MAPPER.readTree(payload);
    } catch (JsonProcessingException e) {
      throw invalid("not valid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw invalid("not valid JSON: " + e.getMessage(), e);
    }
    if (!(root instanceof ObjectNode object)) {
      throw invalid("expected a JSON object, got " + (root == null ? "nothing" : root.getNodeType()), null);
    }
    for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!FIELDS.contains(name)) {
        throw invalid("unknown field '" + name + "'; the fields are " + String.join(", ", sortedFields()), null);
      }
    }
    JsonNode version = object.get("version");
    if (version == null || version.isNull()) {
      throw invalid("version is missing: every change of a document needs a higher version than the one before"
          + " (a row version, an update counter or the change time in ms)", null);
    }
    if (!version.isIntegralNumber() || !version.canConvertToLong() || version.asLong() < 0) {
      throw invalid("version must be an integer >= 0, got " + version, null);
    }
    return DocumentEvent.newBuilder()
        .setCollection(optionalText(object, "collection", ""))
        .setDocId(optionalText(object, "docId", ""))
        .setVersion(version.asLong())
        .setOp(op(object.get("op")))
        .setTitle(optionalText(object, "title", null))
        .setText(optionalText(object, "text", null))
        .setMetadata(metadata(object.get("metadata")))
        .setSource(optionalText(object, "source", null))
        .setEventTime(eventTime(object.get("eventTime"), now))
        .build();
  }

  private static String optionalText(ObjectNode object, String field, String absent) {
    JsonNode node = object.get(field);
    if (node == null || node.isNull()) {
      return absent;
    }
    if (!node.isTextual()) {
      throw invalid(field + " must be a string, got " + node.getNodeType().toString().toLowerCase(Locale.ROOT),
          null);
    }
    return node.textValue();
  }

  private static DocumentOp op(JsonNode node) {
    if (node == null || node.isNull()) {
      return DocumentOp.UPSERT;
    }
    String op = node.isTextual() ? node.textValue().toUpperCase(Locale.ROOT) : "";
    return switch (op) {
      case "UPSERT" -> DocumentOp.UPSERT;
      case "DELETE" -> DocumentOp.DELETE;
      default -> throw invalid("op must be UPSERT or DELETE, got " + node, null);
    };
  }

  private static Map<String, String> metadata(JsonNode node) {
    Map<String, String> metadata = new HashMap<>();
    if (node == null || node.isNull()) {
      return metadata;
    }
    if (!node.isObject()) {
      throw invalid("metadata must be an object of strings, got " + node.getNodeType().toString()
          .toLowerCase(Locale.ROOT), null);
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().isTextual()) {
        throw invalid("metadata value of '" + e.getKey() + "' must be a string, got " + e.getValue(), null);
      }
      metadata.put(e.getKey(), e.getValue().textValue());
    }
    return metadata;
  }

  private static Instant eventTime(JsonNode node, Supplier<Instant> now) {
    if (node == null || node.isNull()) {
      return now.get();
    }
    if (node.isIntegralNumber() && node.canConvertToLong()) {
      return Instant.ofEpochMilli(node.asLong());
    }
    if (node.isTextual()) {
      try {
        return Instant.parse(node.textValue());
      } catch (DateTimeParseException e) {
        throw invalid("eventTime must be ISO-8601 (2026-01-31T12:00:00Z) or epoch milliseconds, got "
            + node, e);
      }
    }
    throw invalid("eventTime must be ISO-8601 (2026-01-31T12:00:00Z) or epoch milliseconds, got " + node, null);
  }

  private static Iterable<String> sortedFields() {
    return FIELDS.stream().sorted().toList();
  }

  private static SchemaDecodingException invalid(String message, Throwable cause) {
    return new SchemaDecodingException(Reason.INVALID_JSON, "JSON DocumentEvent: " + message, cause);
  }
}
