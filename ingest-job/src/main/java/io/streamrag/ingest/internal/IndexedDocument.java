package io.streamrag.ingest.internal;

import io.streamrag.core.store.IndexedChunk;
import io.streamrag.schemas.DocumentOp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A document version ready for the store: all its chunks embedded (an upsert) or none (a delete).
 *
 * @param collection      the collection
 * @param docId           the document id
 * @param version         the document version
 * @param op              upsert or delete
 * @param chunks          the embedded chunks, in ordinal order; empty for a delete
 * @param sourceEventTime the source event's time, carried into the {@code IndexChange}
 * @param position        {@code topic-partition@offset} of the source record, for logs
 */
public record IndexedDocument(String collection, String docId, long version, DocumentOp op,
                              List<EmbeddedChunk> chunks, Instant sourceEventTime, String position) {

    public IndexedDocument {
        Objects.requireNonNull(collection, "collection");
        Objects.requireNonNull(docId, "docId");
        Objects.requireNonNull(op, "op");
        // an ArrayList, not List.copyOf: Flink's list serializer copies into an ArrayList anyway
        chunks = chunks == null ? new ArrayList<>() : new ArrayList<>(chunks);
        Objects.requireNonNull(sourceEventTime, "sourceEventTime");
        position = position == null ? "" : position;
    }

    /** The chunks as core's {@link IndexedChunk}s, for {@code VectorStore.replaceDocument}. */
    public List<IndexedChunk> indexedChunks() {
        List<IndexedChunk> result = new ArrayList<>(chunks.size());
        for (EmbeddedChunk chunk : chunks) {
            result.add(chunk.toIndexedChunk(collection, docId, version));
        }
        return result;
    }
}
