package io.streamrag.core.generate;

import io.streamrag.core.store.ScoredChunk;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The canonical order of context chunks: by document id, then ordinal, then chunk id, independent of retrieval
 * rank. Generators number citations in this order, so the same set of chunks always yields the same numbering
 * and the same prompt prefix (which lets an LLM server reuse a cached prefix for overlapping contexts).
 */
public final class ContextOrder {
    private static final Comparator<ScoredChunk> CANONICAL = Comparator
            .comparing((ScoredChunk c) -> c.chunk().docId())
            .thenComparingInt(c -> c.chunk().ordinal())
            .thenComparing(c -> c.chunk().chunkId());

    private ContextOrder() {
    }

    /**
     * The distinct chunks of {@code context} (by chunk id; the first, best-ranked occurrence is kept) in
     * canonical order.
     */
    public static List<ScoredChunk> canonical(List<ScoredChunk> context) {
        List<ScoredChunk> ordered = new ArrayList<>(distinct(context));
        ordered.sort(CANONICAL);
        return ordered;
    }

    /** The distinct chunks of {@code context} by chunk id, keeping the first occurrence and the given order. */
    static List<ScoredChunk> distinct(List<ScoredChunk> context) {
        Objects.requireNonNull(context, "context");
        Map<String, ScoredChunk> byId = new LinkedHashMap<>();
        for (ScoredChunk c : context) {
            byId.putIfAbsent(c.chunk().chunkId(), c);
        }
        return List.copyOf(byId.values());
    }
}
