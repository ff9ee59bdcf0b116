package io.streamrag.client;

/**
 * A submitted document was dead-lettered by the ingest job instead of becoming searchable: the message names the
 * document, the stage and the reason the job gave.
 */
public final class DocumentRejectedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String documentKey;
    private final String reason;

    DocumentRejectedException(String documentKey, String stage, String reason) {
        super("document " + documentKey + " was rejected by the ingest job (stage " + stage + "): " + reason);
        this.documentKey = documentKey;
        this.reason = reason;
    }

    /** The rejected document's key, {@code collection/docId}. */
    public String documentKey() {
        return documentKey;
    }

    /** The job's reason, as recorded in the dead letter. */
    public String reason() {
        return reason;
    }
}
