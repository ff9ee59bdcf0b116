package io.streamrag.schemas;

import io.streamrag.schemas.internal.Utf8StringSerde;
import java.util.List;
import java.util.Map;

/**
 * Every streamrag topic, declared once: name, key format, value format, partitions and topic configs. Keys are UTF-8
 * strings; values are Avro single-object encoded ({@link AvroSerde}). The serdes are immutable and shared.
 */
public final class Topics {

  /** The largest document event or dead letter a topic takes: a document of several MiB of text. */
  public static final int MAX_MESSAGE_BYTES = 8 * 1024 * 1024;

  /**
   * Partitions of {@link #QUERIES} and {@link #RESPONSES}: the query processors' stream threads, all instances
   * together. A thread blocks on one LLM call at a time, so a processor answers at most partitions / LLM latency
   * queries per second (16 at 200 ms: 80/s). These topics carry no key affinity, so growing them later is safe.
   */
  public static final int DEFAULT_QUERY_PARTITIONS = 16;

  private static final AvroSerde<DeadLetter> DEAD_LETTERS = AvroSerde.of(DeadLetter.class);

  /**
   * The system of record: document changes, keyed by {@link #documentKey} so that compaction keeps
   * the latest event of each document.
   */
  public static final Topic<String, DocumentEvent> DOCUMENTS =
      new Topic<>("rag.documents", Utf8StringSerde.INSTANCE, AvroSerde.of(DocumentEvent.class), 4,
          Map.of(
              // the system of record: compaction keeps the latest event of every document forever
              "cleanup.policy", "compact",
              "retention.ms", "-1",
              "max.message.bytes", String.valueOf(MAX_MESSAGE_BYTES)));

  /** Document events that could not be processed, keyed like {@link #DOCUMENTS}. */
  public static final Topic<String, DeadLetter> DOCUMENTS_DLQ =
      new Topic<>("rag.documents.dlq", Utf8StringSerde.INSTANCE, DEAD_LETTERS, 1,
          Map.of("max.message.bytes", String.valueOf(MAX_MESSAGE_BYTES)));

  /** Announcements of committed index changes, keyed by {@link #documentKey}. */
  public static final Topic<String, IndexChange> INDEX_CHANGES =
      new Topic<>("rag.index-changes", Utf8StringSerde.INSTANCE, AvroSerde.of(IndexChange.class));

  /** Questions, keyed by requestId. */
  public static final Topic<String, QueryRequest> QUERIES =
      new Topic<>("rag.queries", Utf8StringSerde.INSTANCE, AvroSerde.of(QueryRequest.class),
          DEFAULT_QUERY_PARTITIONS, Map.of());

  /** Answers, exactly one per request, keyed by requestId. */
  public static final Topic<String, QueryResponse> RESPONSES =
      new Topic<>("rag.responses", Utf8StringSerde.INSTANCE, AvroSerde.of(QueryResponse.class),
          DEFAULT_QUERY_PARTITIONS, Map.of());

  /** Queries that could not be processed, keyed by requestId. */
  public static final Topic<String, DeadLetter> QUERIES_DLQ =
      new Topic<>("rag.queries.dlq", Utf8StringSerde.INSTANCE, DEAD_LETTERS);

  /** Collection settings and embedding model changes, keyed by collection. */
  public static final Topic<String, ControlEvent> CONTROL =
      new Topic<>("rag.control", Utf8StringSerde.INSTANCE, AvroSerde.of(ControlEvent.class));

  /** Every topic above, in the order a stack creates them. */
  public static final List<Topic<String, ?>> ALL =
      List.of(DOCUMENTS, DOCUMENTS_DLQ, INDEX_CHANGES, QUERIES, RESPONSES, QUERIES_DLQ, CONTROL);

  private Topics() {}

  /**
   * The key of a document on {@link #DOCUMENTS} and {@link #INDEX_CHANGES}: {@code collection/docId}.
   * A valid collection name ({@code io.streamrag.core.CollectionNames}) never contains '/', so the first '/'
   * separates the two.
   *
   * @throws NullPointerException if either is null
   * @throws IllegalArgumentException if docId is empty
   */
  public static String documentKey(String collection, String docId) {
    return Identifiers.requireCollection(collection) + "/" + Identifiers.requireDocId(docId);
  }
}
