package io.streamrag.ingest.internal;

import io.streamrag.ingest.RawDocument;
import io.streamrag.schemas.DocumentOp;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A decoded and validated document event on its way through the job. A Flink-friendly copy of
 * {@code DocumentEvent} (plain record fields, no Avro types besides the enum) plus where it was read from.
 *
 * @param collection a valid collection name
 * @param docId      non-blank
 * @param version    the document version
 * @param op         upsert or delete
 * @param title      may be empty, never null
 * @param text       non-blank for an upsert, empty for a delete
 * @param metadata   never null; a mutable {@link HashMap} copy because Flink's serializers copy into one
 * @param eventTime  when the producer created the event
 * @param source     the source record as read (bytes, topic, partition, offset): a document that fails later
 *                   (embedding) is dead-lettered with its original bytes. It doubles the size of the record in
 *                   flight, the price of re-drivable dead letters.
 */
public record DocumentChange(String collection, String docId, long version, DocumentOp op, String title,
                             String text, Map<String, String> metadata, Instant eventTime, RawDocument source) {

    public DocumentChange {
        Objects.requireNonNull(collection, "collection");
        Objects.requireNonNull(docId, "docId");
        Objects.requireNonNull(op, "op");
        title = title == null ? "" : title;
        text = text == null ? "" : text;
        metadata = metadata == null ? new HashMap<>() : new HashMap<>(metadata);
        Objects.requireNonNull(eventTime, "eventTime");
        Objects.requireNonNull(source, "source");
    }

    /** {@code topic-partition@offset} of the source record, for logs. */
    public String position() {
        return source.position();
    }

    /**
     * The key of the version guard's state: {@code collection/docId}. Unambiguous because valid collection
     * names contain no {@code /}.
     */
    public String documentKey() {
        return collection + "/" + docId;
    }
}
