package io.streamrag.core.generate;

/**
 * A {@link Generator} could not produce an answer (the LLM endpoint failed, after retries where a retry could help);
 * the message names the endpoint and says what to check. Callers may answer with a fallback generator instead.
 */
public class GenerationException extends RuntimeException {
    public GenerationException(String message, Throwable cause) {
        super(message, cause);
    }

    public GenerationException(String message) {
        super(message);
    }
}
