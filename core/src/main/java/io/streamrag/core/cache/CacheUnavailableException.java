package io.streamrag.core.cache;

/**
 * Redis could not be used: unreachable, too slow, or its circuit breaker is open. Query-path decorators catch it
 * and bypass the cache; the invalidator lets it propagate so that the invalidation is retried, never dropped.
 */
public class CacheUnavailableException extends RuntimeException {
    public CacheUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
