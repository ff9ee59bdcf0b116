package io.streamrag.core.query;

import io.streamrag.core.generate.Answer;
import java.util.Map;

/**
 * The outcome of one query.
 *
 * @param answer          the answer with its citations
 * @param degradationMode which rung of the degradation ladder produced it ({@code normal} when all went well)
 * @param timingsMs       milliseconds per stage: embed, retrieve, rerank, generate, total
 */
public record QueryResult(Answer answer, String degradationMode, Map<String, Long> timingsMs) {
    public QueryResult {
        timingsMs = Map.copyOf(timingsMs);
    }
}
