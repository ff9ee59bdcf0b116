package io.streamrag.core.rerank;

/** The reranker failed; the message says what to check. */
public class RerankException extends RuntimeException {
    public RerankException(String message, Throwable cause) {
        super(message, cause);
    }

    public RerankException(String message) {
        super(message);
    }
}
