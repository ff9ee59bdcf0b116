package io.streamrag.schemas;

import java.util.Objects;

/** Checks on collection names and document ids shared by {@link Topics} and {@link DocumentEvents}. */
final class Identifiers {

  private Identifiers() {}

  /** A collection is non-blank and has no '/', so {@code collection/docId} keys split unambiguously. */
  static String requireCollection(String collection) {
    Objects.requireNonNull(collection, "collection");
    if (collection.isBlank() || collection.indexOf('/') >= 0) {
      throw new IllegalArgumentException("collection must be non-blank and contain no '/', got '" + collection + "'");
    }
    return collection;
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
