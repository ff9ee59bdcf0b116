package io.streamrag.ingest.internal;

import io.streamrag.core.embed.EmbeddingException;

/** The embedder failed on every attempt; the cause is the last failure. */
public final class EmbeddingRetriesExhaustedException extends EmbeddingException {
    private static final long serialVersionUID = 1L;

    private final int attempts;

    EmbeddingRetriesExhaustedException(int attempts, EmbeddingException last) {
        super("failed " + attempts + " time(s), last: " + last.getMessage(), last);
        this.attempts = attempts;
    }

    /** How many times embedding was tried. */
    public int attempts() {
        return attempts;
    }
}
