package io.streamrag.schemas;

import java.util.Objects;

/**
 * Checks on document ids shared by {@link Topics} and {@link DocumentEvents}. Collection names follow one rule,
 * {@code io.streamrag.core.CollectionNames}, applied where a name enters streamrag (commands, gateway, processors,
 * ingest job); here a collection only has to be present.
 */
final class Identifiers {

  private Identifiers() {}

  /** A collection is present; its name is checked where it enters streamrag. */
  static String requireCollection(String collection) {
    return Objects.requireNonNull(collection, "collection");
  }

  /** A document id is non-empty; it may contain '/' (file paths). */
  static String requireDocId(String docId) {
    Objects.requireNonNull(docId, "docId");
    if (docId.isEmpty()) {
      throw new IllegalArgumentException("docId must not be empty");
    }
    return docId;
  }
}
