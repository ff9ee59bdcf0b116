package io.streamrag.core.query;

import io.streamrag.core.generate.Answer;
import java.util.List;
import java.util.Map;

/**
 * The outcome of one query.
 *
 * @param answer          the answer with its citations
 * @param degradationMode which rung of the degradation ladder produced it ({@code normal} when all went well)
 * @param timingsMs       milliseconds per stage: embed, retrieve, rerank, generate, total
 * @param cacheHits       the cache layers that answered part of this query (e.g. {@code L1}, {@code L2}), in order
 */
public record QueryResult(Answer answer, String degradationMode, Map<String, Long> timingsMs, List<String> cacheHits) {
    public QueryResult {
        timingsMs = Map.copyOf(timingsMs);
        cacheHits = List.copyOf(cacheHits);
    }

    /** A result that no cache contributed to. */
    public QueryResult(Answer answer, String degradationMode, Map<String, Long> timingsMs) {
        this(answer, degradationMode, timingsMs, List.of());
    }
}
