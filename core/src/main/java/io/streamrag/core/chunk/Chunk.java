package io.streamrag.core.chunk;

import java.util.Map;
import java.util.Objects;

/**
 * A piece of one document version, the unit that is embedded, stored and cited.
 *
 * @param chunkId    stable id, see {@link ChunkIds}: the same document version always yields the same ids
 * @param collection the document's collection
 * @param docId      the document's id
 * @param version    the document version this chunk was cut from
 * @param ordinal    position of the chunk in the document, from 0
 * @param title      the document title (repeated on every chunk so BM25 and the embedder see it)
 * @param text       the chunk text
 * @param metadata   the document's metadata
 */
public record Chunk(String chunkId, String collection, String docId, long version, int ordinal, String title,
                    String text, Map<String, String> metadata) {
    public Chunk {
        Objects.requireNonNull(chunkId, "chunkId");
        Objects.requireNonNull(collection, "collection");
        Objects.requireNonNull(docId, "docId");
        title = title == null ? "" : title;
        Objects.requireNonNull(text, "text");
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }

    /** The text given to the embedder for this chunk: the title (when there is one) and the chunk text. */
    public String embeddingText() {
        return title.isBlank() ? text : title + "\n" + text;
    }
}
