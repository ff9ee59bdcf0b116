package io.streamrag.query.internal;

import io.streamrag.client.QueryResponses;
import io.streamrag.core.query.Query;
import io.streamrag.core.query.QueryResult;
import io.streamrag.schemas.QueryRequest;
import io.streamrag.schemas.QueryResponse;
import java.util.List;
import java.util.Map;

/**
 * Translates between the wire records ({@link QueryRequest}, {@link QueryResponse}) and the engine's types
 * ({@link Query}, {@link QueryResult}). Stateless apart from the default topK; thread-safe.
 */
public final class QueryMapper {

    /** The degradation mode of every response this processor makes up itself because no answer was possible. */
    public static final String ERROR_MODE = "error";

    private final int defaultTopK;

    /** @param defaultTopK used when a request asks for topK &le; 0; must be &gt; 0 */
    public QueryMapper(int defaultTopK) {
        if (defaultTopK <= 0) {
            throw new IllegalArgumentException("defaultTopK must be > 0, got " + defaultTopK);
        }
        this.defaultTopK = defaultTopK;
    }

    /** The engine's view of a request: collection, text, filters, and topK with the default applied. */
    public Query toQuery(QueryRequest request) {
        int topK = request.getTopK() > 0 ? request.getTopK() : defaultTopK;
        return new Query(request.getCollection(), request.getText(), request.getFilters(), topK);
    }

    /**
     * The response carrying the engine's answer.
     *
     * @throws NullPointerException if the result lacks an answer or a degradation mode (the engine broke its
     *                              contract; the caller turns this into an error response)
     */
    public QueryResponse toResponse(String requestId, String collection, QueryResult result) {
        return QueryResponses.of(requestId, collection, result);
    }

    /**
     * A response that says the request could not be answered and why.
     *
     * @param collection the request's collection, or "" when unknown
     * @param reason     one line, shown to the user in both {@code error} and the answer text
     */
    public QueryResponse toErrorResponse(String requestId, String collection, String reason) {
        return QueryResponse.newBuilder()
                .setRequestId(requestId)
                .setCollection(collection == null ? "" : collection)
                .setAnswer("The request could not be answered: " + reason)
                .setCitations(List.of())
                .setDegradationMode(ERROR_MODE)
                .setTimingsMs(Map.of())
                .setCacheHits(List.of())
                .setError(reason)
                .build();
    }
}
