package io.streamrag.core.store;

import java.util.Map;
import java.util.Objects;

/**
 * Restricts a search to one collection and, optionally, to chunks whose metadata has every given key = value.
 * The collection is mandatory: collections are walls.
 */
public record SearchFilter(String collection, Map<String, String> metadata) {
    public SearchFilter {
        Objects.requireNonNull(collection, "collection");
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }

    public static SearchFilter collection(String collection) {
        return new SearchFilter(collection, Map.of());
    }
}
