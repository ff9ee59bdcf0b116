package io.streamrag.ingest.internal;

import io.streamrag.core.chunk.Chunk;
import io.streamrag.core.store.IndexedChunk;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One chunk of a document version with its embedding, in a Flink-serializable shape (a record of plain
 * fields rather than core's nested {@link IndexedChunk}). The vector is not copied: do not change it.
 *
 * @param chunkId  the stable chunk id
 * @param ordinal  position in the document, from 0
 * @param title    the document title, never null
 * @param text     the chunk text
 * @param metadata the document metadata, never null
 * @param vector   the L2-normalised embedding of {@link Chunk#embeddingText()}
 */
public record EmbeddedChunk(String chunkId, int ordinal, String title, String text, Map<String, String> metadata,
                            float[] vector) {

    public EmbeddedChunk {
        Objects.requireNonNull(chunkId, "chunkId");
        title = title == null ? "" : title;
        Objects.requireNonNull(text, "text");
        metadata = metadata == null ? new HashMap<>() : new HashMap<>(metadata);
        Objects.requireNonNull(vector, "vector");
    }

    static EmbeddedChunk of(Chunk chunk, float[] vector) {
        return new EmbeddedChunk(chunk.chunkId(), chunk.ordinal(), chunk.title(), chunk.text(), chunk.metadata(),
                vector);
    }

    /** The core chunk again, for the store. */
    IndexedChunk toIndexedChunk(String collection, String docId, long version) {
        return new IndexedChunk(new Chunk(chunkId, collection, docId, version, ordinal, title, text, metadata), vector);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EmbeddedChunk other
                && ordinal == other.ordinal
                && chunkId.equals(other.chunkId)
                && title.equals(other.title)
                && text.equals(other.text)
                && metadata.equals(other.metadata)
                && Arrays.equals(vector, other.vector);
    }

    @Override
    public int hashCode() {
        return Objects.hash(chunkId, ordinal, title, text, metadata, Arrays.hashCode(vector));
    }

    @Override
    public String toString() {
        return "EmbeddedChunk[" + chunkId + ", " + text.length() + " chars, dim " + vector.length + "]";
    }
}
