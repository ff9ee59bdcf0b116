package io.streamrag.schemas;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * Factories for valid {@link DocumentEvent}s with {@code eventTime} = now (millisecond precision).
 * Each returns a new, independent record; thread-safe.
 */
public final class DocumentEvents {

  private DocumentEvents() {}

  /**
   * An insert or replacement of a whole document.
   *
   * @param collection not null; a valid name ({@code io.streamrag.core.CollectionNames}) or the ingest job
   *     dead-letters the event
   * @param docId non-empty
   * @param version {@code >= 0}; must increase with every change of this document
   * @param title may be null
   * @param text the document text, not null (may be empty)
   * @param metadata may be null (no metadata); copied; keys and values must not be null
   * @param source where the document came from (path, URL); may be null
   * @throws IllegalArgumentException or NullPointerException naming the invalid parameter
   */
  public static DocumentEvent upsert(String collection, String docId, long version, String title, String text,
      Map<String, String> metadata, String source) {
    if (text == null) {
      throw new NullPointerException("text must not be null for an UPSERT (docId " + docId + ")");
    }
    return event(collection, docId, version, DocumentOp.UPSERT)
        .setTitle(title)
        .setText(text)
        .setMetadata(copyOf(metadata))
        .setSource(source)
        .build();
  }

  /**
   * A deletion of every version up to {@code version} of a document.
   *
   * @param collection not null; a valid name ({@code io.streamrag.core.CollectionNames}) or the ingest job
   *     dead-letters the event
   * @param docId non-empty
   * @param version {@code >= 0}; higher than the versions it deletes
   * @throws IllegalArgumentException or NullPointerException naming the invalid parameter
   */
  public static DocumentEvent delete(String collection, String docId, long version) {
    return event(collection, docId, version, DocumentOp.DELETE)
        .setTitle(null)
        .setText(null)
        .setMetadata(new HashMap<>())
        .setSource(null)
        .build();
  }

  private static DocumentEvent.Builder event(String collection, String docId, long version, DocumentOp op) {
    Identifiers.requireCollection(collection);
    Identifiers.requireDocId(docId);
    if (version < 0) {
      throw new IllegalArgumentException("version must be >= 0, got " + version);
    }
    return DocumentEvent.newBuilder()
        .setCollection(collection)
        .setDocId(docId)
        .setVersion(version)
        .setOp(op)
        .setEventTime(Instant.now());
  }

  private static Map<String, String> copyOf(Map<String, String> metadata) {
    Map<String, String> copy = new HashMap<>();
    if (metadata == null) {
      return copy;
    }
    metadata.forEach((key, value) -> {
      if (key == null || value == null) {
        throw new IllegalArgumentException("metadata must not contain null keys or values, got " + key + "=" + value);
      }
      copy.put(key, value);
    });
    return copy;
  }
}
