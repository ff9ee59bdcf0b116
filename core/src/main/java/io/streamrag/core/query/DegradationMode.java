package io.streamrag.core.query;

import java.util.Collection;

/**
 * The rungs of the degradation ladder, from the least to the most severe. When several rungs apply to one query
 * (say the reranker timed out and the primary LLM failed), the result reports the most severe one
 * ({@link #mostSevere}); declaration order is severity order.
 *
 * <p>The order ranks what the user loses: {@code cache_only} loses nothing yet (the cached vector is the one the
 * embedder would compute) but says the embedder is down; {@code no_rerank} loses precision at the top;
 * {@code dense_only} loses exact term matches; {@code keyword_only} loses semantic matches (and is also the rung
 * of an embedder outage with no cached vector); {@code fallback_llm} changes the answer itself to quoted
 * sentences; {@code error} has no answer at all.
 */
public enum DegradationMode {
    /** Every dependency answered. */
    NORMAL("normal"),
    /** The embedder failed; the query's vector came from the engine's cache of recent query embeddings. */
    CACHE_ONLY("cache_only"),
    /** The reranker failed, timed out or its breaker is open: the retrieval order is kept. */
    NO_RERANK("no_rerank"),
    /** Keyword (BM25) search failed: dense search only. */
    DENSE_ONLY("dense_only"),
    /** Dense search failed, or the embedder did with no cached vector: keyword (BM25) search only. */
    KEYWORD_ONLY("keyword_only"),
    /** The primary generator failed: the fallback generator wrote the answer. */
    FALLBACK_LLM("fallback_llm"),
    /** No retrieval worked (or no generator): the answer says that the question could not be answered. */
    ERROR("error");

    private final String wireName;

    DegradationMode(String wireName) {
        this.wireName = wireName;
    }

    /** The name in {@link QueryResult#degradationMode()} and in responses, e.g. {@code no_rerank}. */
    public String wireName() {
        return wireName;
    }

    /** The most severe of {@code modes}; {@link #NORMAL} when empty. */
    public static DegradationMode mostSevere(Collection<DegradationMode> modes) {
        DegradationMode worst = NORMAL;
        for (DegradationMode mode : modes) {
            if (mode.compareTo(worst) > 0) {
                worst = mode;
            }
        }
        return worst;
    }

    /** The mode with this wire name. */
    public static DegradationMode fromWireName(String wireName) {
        for (DegradationMode mode : values()) {
            if (mode.wireName.equals(wireName)) {
                return mode;
            }
        }
        throw new IllegalArgumentException("unknown degradation mode '" + wireName + "'");
    }
}
