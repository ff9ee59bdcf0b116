package io.streamrag.client;

import io.streamrag.core.generate.Answer;
import io.streamrag.core.query.QueryResult;
import io.streamrag.schemas.Citation;
import io.streamrag.schemas.QueryResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Objects;

/**
 * The wire record of an engine result, made the same way by the query processor and by the gateway when it serves
 * a cached answer itself. Stateless.
 */
public final class QueryResponses {
    private QueryResponses() {
    }

    /**
     * The response carrying {@code result}.
     *
     * @throws NullPointerException if the result lacks an answer or a degradation mode
     */
    public static QueryResponse of(String requestId, String collection, QueryResult result) {
        Objects.requireNonNull(result, "the engine returned no result");
        Answer answer = Objects.requireNonNull(result.answer(), "the engine returned a result without an answer");
        String mode = Objects.requireNonNull(result.degradationMode(),
                "the engine returned a result without a degradation mode");
        List<Citation> citations = new ArrayList<>(answer.citations().size());
        for (io.streamrag.core.generate.Citation c : answer.citations()) {
            citations.add(Citation.newBuilder()
                    .setNumber(c.number())
                    .setDocId(c.docId())
                    .setChunkId(c.chunkId())
                    .setScore(c.score())
                    .setText(c.text())
                    .build());
        }
        return QueryResponse.newBuilder()
                .setRequestId(requestId)
                .setCollection(collection)
                .setAnswer(answer.text())
                .setCitations(citations)
                .setDegradationMode(mode)
                .setTimingsMs(new HashMap<>(result.timingsMs()))
                .setCacheHits(new ArrayList<>(result.cacheHits()))
                .setError(null)
                .build();
    }
}
