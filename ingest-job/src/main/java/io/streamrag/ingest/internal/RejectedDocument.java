package io.streamrag.ingest.internal;

import io.streamrag.core.embed.EmbeddingException;
import io.streamrag.ingest.RawDocument;
import java.util.Objects;
import org.apache.flink.util.OutputTag;

/**
 * A source record that the job could not use, with the reason: what goes to the documents DLQ.
 *
 * @param raw      the record as read, with its topic, partition and offset
 * @param stage    where it was rejected: {@link #DECODE}, {@link #VALIDATE} or {@link #EMBED}
 * @param reason   a one-line explanation
 * @param attempts how many times processing was tried, >= 1
 */
public record RejectedDocument(RawDocument raw, String stage, String reason, int attempts) {
    /** The bytes are not a {@code DocumentEvent} this job can read. */
    public static final String DECODE = "decode";
    /** The event decoded but cannot be indexed (missing or invalid fields, oversized text). */
    public static final String VALIDATE = "validate";
    /** Embedding the document's chunks failed on every attempt. */
    public static final String EMBED = "embed";

    /** Documents whose chunks could not be embedded, for the documents DLQ. */
    public static final OutputTag<RejectedDocument> EMBED_FAILED = new OutputTag<>("embed-failed-documents") { };

    public RejectedDocument {
        Objects.requireNonNull(raw, "raw");
        Objects.requireNonNull(stage, "stage");
        Objects.requireNonNull(reason, "reason");
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts must be >= 1, got " + attempts);
        }
    }

    /** A record rejected at its first and only attempt (decoding and validation are deterministic). */
    public RejectedDocument(RawDocument raw, String stage, String reason) {
        this(raw, stage, reason, 1);
    }

    /**
     * The dead letter of a document the embedder failed on, with the attempts the embedder reports
     * ({@link EmbeddingRetriesExhaustedException}) or 1 for an embedder that does not retry.
     */
    public static RejectedDocument embeddingFailed(DocumentChange change, EmbeddingException failure) {
        int attempts = failure instanceof EmbeddingRetriesExhaustedException exhausted ? exhausted.attempts() : 1;
        return new RejectedDocument(change.source(), EMBED, failure.getClass().getSimpleName() + ": "
                + failure.getMessage(), attempts);
    }
}
