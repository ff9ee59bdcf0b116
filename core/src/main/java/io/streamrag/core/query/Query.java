package io.streamrag.core.query;

import java.util.Map;
import java.util.Objects;

/** A question against one collection. */
public record Query(String collection, String text, Map<String, String> filters, int topK) {
    public Query {
        Objects.requireNonNull(collection, "collection");
        Objects.requireNonNull(text, "text");
        filters = filters == null ? Map.of() : Map.copyOf(filters);
        if (topK <= 0) {
            throw new IllegalArgumentException("topK must be > 0, got " + topK);
        }
    }
}
