package io.streamrag.core.query;

/**
 * Answers questions: retrieval, optional rerank, generation.
 *
 * <p>Implementations must be thread-safe and must never return null: a failure that prevents an answer is
 * either reported as a {@link QueryResult} with degradation mode {@code error} or thrown as a runtime exception
 * that the caller turns into an error response.
 */
@FunctionalInterface
public interface QueryEngine {
    QueryResult answer(Query query);
}
