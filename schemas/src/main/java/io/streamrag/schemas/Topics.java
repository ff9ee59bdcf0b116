package io.streamrag.schemas;

import io.streamrag.schemas.internal.Utf8StringSerde;

/**
 * Every streamrag topic, declared once: name, key format and value format. Keys are UTF-8 strings;
 * values are Avro single-object encoded ({@link AvroSerde}). The serdes are immutable and shared.
 */
public final class Topics {

  private static final AvroSerde<DeadLetter> DEAD_LETTERS = AvroSerde.of(DeadLetter.class);

  /**
   * The system of record: document changes, keyed by {@link #documentKey} so that compaction keeps
   * the latest event of each document.
   */
  public static final Topic<String, DocumentEvent> DOCUMENTS =
      new Topic<>("rag.documents", Utf8StringSerde.INSTANCE, AvroSerde.of(DocumentEvent.class));

  /** Document events that could not be processed, keyed like {@link #DOCUMENTS}. */
  public static final Topic<String, DeadLetter> DOCUMENTS_DLQ =
      new Topic<>("rag.documents.dlq", Utf8StringSerde.INSTANCE, DEAD_LETTERS);

  /** Announcements of committed index changes, keyed by {@link #documentKey}. */
  public static final Topic<String, IndexChange> INDEX_CHANGES =
      new Topic<>("rag.index-changes", Utf8StringSerde.INSTANCE, AvroSerde.of(IndexChange.class));

  /** Questions, keyed by requestId. */
  public static final Topic<String, QueryRequest> QUERIES =
      new Topic<>("rag.queries", Utf8StringSerde.INSTANCE, AvroSerde.of(QueryRequest.class));

  /** Answers, exactly one per request, keyed by requestId. */
  public static final Topic<String, QueryResponse> RESPONSES =
      new Topic<>("rag.responses", Utf8StringSerde.INSTANCE, AvroSerde.of(QueryResponse.class));

  /** Queries that could not be processed, keyed by requestId. */
  public static final Topic<String, DeadLetter> QUERIES_DLQ =
      new Topic<>("rag.queries.dlq", Utf8StringSerde.INSTANCE, DEAD_LETTERS);

  /** Collection settings and embedding model changes, keyed by collection. */
  public static final Topic<String, ControlEvent> CONTROL =
      new Topic<>("rag.control", Utf8StringSerde.INSTANCE, AvroSerde.of(ControlEvent.class));

  private Topics() {}

  /**
   * The key of a document on {@link #DOCUMENTS} and {@link #INDEX_CHANGES}: {@code collection/docId}.
   * The collection never contains '/', so the first '/' separates the two.
   *
   * @throws IllegalArgumentException if the collection is blank or contains '/', or docId is empty
   */
  public static String documentKey(String collection, String docId) {
    return Identifiers.requireCollection(collection) + "/" + Identifiers.requireDocId(docId);
  }
}
