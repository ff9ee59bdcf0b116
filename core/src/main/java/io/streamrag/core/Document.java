package io.streamrag.core;

import java.util.Map;
import java.util.Objects;

/**
 * One version of a document as the engine sees it: the input to chunking.
 *
 * @param collection the collection the document belongs to; part of every store query and cache key
 * @param docId      the document's id, unique within the collection
 * @param version    the document version; higher replaces lower
 * @param title      the title, may be empty, never null
 * @param text       the body text, never null
 * @param metadata   string metadata that filters can match, never null
 */
public record Document(String collection, String docId, long version, String title, String text,
                       Map<String, String> metadata) {
    public Document {
        Objects.requireNonNull(collection, "collection");
        Objects.requireNonNull(docId, "docId");
        title = title == null ? "" : title;
        Objects.requireNonNull(text, "text");
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }
}
