package io.streamrag.ingest.internal;

import io.streamrag.core.store.internal.CollectionNames;
import io.streamrag.ingest.RawDocument;
import io.streamrag.schemas.AvroCodec;
import io.streamrag.schemas.DocumentEvent;
import io.streamrag.schemas.DocumentOp;
import io.streamrag.schemas.SchemaDecodingException;
import java.util.Optional;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes source records into {@link DocumentChange}s and validates them.
 *
 * <p>A record that cannot be decoded, or whose event is invalid (blank or malformed collection, blank docId,
 * an upsert without text), is logged at WARN with its topic, partition, offset and the reason, emitted on the
 * {@link #REJECTED} side output, and skipped: bad input never stops the job. Stateless.
 */
public final class DocumentDecoder extends ProcessFunction<RawDocument, DocumentChange> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(DocumentDecoder.class);

    /** Records that could not be used, for the documents DLQ. */
    public static final OutputTag<RejectedDocument> REJECTED = new OutputTag<>("rejected-documents") { };

    private transient AvroCodec<DocumentEvent> codec;

    @Override
    public void open(OpenContext openContext) {
        codec = AvroCodec.of(DocumentEvent.class);
    }

    @Override
    public void processElement(RawDocument raw, Context ctx, Collector<DocumentChange> out) {
        if (raw.value() == null || raw.value().length == 0) {
            reject(raw, "decode", "empty payload", ctx);
            return;
        }
        DocumentEvent event;
        try {
            event = codec.decode(raw.value());
        } catch (SchemaDecodingException e) {
            reject(raw, "decode", "not a DocumentEvent: " + e.getMessage(), ctx);
            return;
        }
        Optional<String> invalid = validate(event);
        if (invalid.isPresent()) {
            reject(raw, "validate", invalid.get(), ctx);
            return;
        }
        out.collect(new DocumentChange(event.getCollection(), event.getDocId(), event.getVersion(), event.getOp(),
                event.getTitle(), event.getOp() == DocumentOp.DELETE ? "" : event.getText(), event.getMetadata(),
                event.getEventTime(), raw.position()));
    }

    /** Why {@code event} cannot be indexed, or empty when it can. */
    static Optional<String> validate(DocumentEvent event) {
        String collection = event.getCollection();
        try {
            // The store's own rule (names become directory names), checked here so that a bad name is
            // rejected as bad input instead of failing the store writer, and with it the job, over and over.
            CollectionNames.requireValid(collection);
        } catch (IllegalArgumentException e) {
            return Optional.of(e.getMessage());
        }
        if (event.getDocId() == null || event.getDocId().isBlank()) {
            return Optional.of("docId is missing or blank");
        }
        if (event.getOp() == null) {
            return Optional.of("op is missing");
        }
        if (event.getEventTime() == null) {
            return Optional.of("eventTime is missing");
        }
        if (event.getOp() == DocumentOp.UPSERT && (event.getText() == null || event.getText().isBlank())) {
            return Optional.of("UPSERT of " + collection + "/" + event.getDocId() + " has no text");
        }
        return Optional.empty();
    }

    private static void reject(RawDocument raw, String stage, String reason, Context ctx) {
        LOG.warn("Skipping document record at {} (topic={}, partition={}, offset={}): {}: {}", raw.position(),
                raw.topic(), raw.partition(), raw.offset(), stage, reason);
        ctx.output(REJECTED, new RejectedDocument(raw, stage, reason));
    }
}
