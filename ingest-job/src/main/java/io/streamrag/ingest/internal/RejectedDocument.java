package io.streamrag.ingest.internal;

import io.streamrag.ingest.RawDocument;
import java.util.Objects;

/**
 * A source record that the job could not use, with the reason: what goes to the documents DLQ.
 *
 * @param raw    the record as read, with its topic, partition and offset
 * @param stage  where it was rejected: {@code decode} or {@code validate}
 * @param reason a one-line explanation
 */
public record RejectedDocument(RawDocument raw, String stage, String reason) {
    public RejectedDocument {
        Objects.requireNonNull(raw, "raw");
        Objects.requireNonNull(stage, "stage");
        Objects.requireNonNull(reason, "reason");
    }
}
