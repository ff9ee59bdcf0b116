package io.streamrag.ingest.internal;

import io.streamrag.core.CollectionNames;
import io.streamrag.ingest.RawDocument;
import io.streamrag.schemas.AvroCodec;
import io.streamrag.schemas.DocumentEvent;
import io.streamrag.schemas.DocumentEventJson;
import io.streamrag.schemas.DocumentOp;
import io.streamrag.schemas.SchemaDecodingException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
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
 * <p>A record is an Avro single-object encoded {@code DocumentEvent} or, when it starts with '{', the JSON shape of
 * {@link DocumentEventJson}; both are validated by the same rules. A record that cannot be decoded (empty, neither
 * Avro single-object encoded nor JSON, an unknown or incompatible writer schema, a corrupt body, JSON of the wrong
 * shape: stage {@code decode}) or whose event is invalid (missing or malformed collection,
 * missing docId, an upsert without text or with text over {@code maxTextBytes}: stage {@code validate}) is
 * logged at WARN with its topic, partition, offset and the reason, emitted once on the {@link #REJECTED} side
 * output, and skipped: bad input never stops the job. Stateless.
 */
public final class DocumentDecoder extends ProcessFunction<RawDocument, DocumentChange> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(DocumentDecoder.class);

    /** Records that could not be used, for the documents DLQ. */
    public static final OutputTag<RejectedDocument> REJECTED = new OutputTag<>("rejected-documents") { };

    private final int maxTextBytes;

    private transient AvroCodec<DocumentEvent> codec;

    /** @param maxTextBytes the UTF-8 size above which an upsert's text is rejected, > 0 */
    public DocumentDecoder(int maxTextBytes) {
        if (maxTextBytes <= 0) {
            throw new IllegalArgumentException("maxTextBytes must be > 0, got " + maxTextBytes);
        }
        this.maxTextBytes = maxTextBytes;
    }

    @Override
    public void open(OpenContext openContext) {
        codec = AvroCodec.of(DocumentEvent.class);
    }

    @Override
    public void processElement(RawDocument raw, Context ctx, Collector<DocumentChange> out) {
        if (raw.value() == null || raw.value().length == 0) {
            reject(raw, RejectedDocument.DECODE, "empty payload", ctx);
            return;
        }
        DocumentEvent event;
        try {
            event = DocumentEventJson.looksLikeJson(raw.value())
                    ? DocumentEventJson.decode(raw.value(), Instant::now)
                    : codec.decode(raw.value());
        } catch (SchemaDecodingException e) {
            reject(raw, RejectedDocument.DECODE, e.reason() + ": " + e.getMessage(), ctx);
            return;
        }
        Optional<String> invalid = validate(event, maxTextBytes);
        if (invalid.isPresent()) {
            reject(raw, RejectedDocument.VALIDATE, invalid.get(), ctx);
            return;
        }
        out.collect(new DocumentChange(event.getCollection(), event.getDocId(), event.getVersion(), event.getOp(),
                event.getTitle(), event.getOp() == DocumentOp.DELETE ? "" : event.getText(), event.getMetadata(),
                event.getEventTime(), raw));
    }

    /** Why {@code event} cannot be indexed, or empty when it can. */
    static Optional<String> validate(DocumentEvent event, int maxTextBytes) {
        String collection = event.getCollection();
        // The one rule for names (they become directory names), checked here so that a bad name is rejected as
        // bad input instead of failing the store writer, and with it the job, over and over.
        Optional<String> badCollection = CollectionNames.problem(collection);
        if (badCollection.isPresent()) {
            return badCollection;
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
        if (event.getOp() == DocumentOp.UPSERT && utf8Length(event.getText(), maxTextBytes) > maxTextBytes) {
            return Optional.of("UPSERT of " + collection + "/" + event.getDocId() + " has "
                    + event.getText().getBytes(StandardCharsets.UTF_8).length + " bytes of text, over the limit of "
                    + maxTextBytes + " (--max-text-bytes)");
        }
        return Optional.empty();
    }

    /**
     * A number that is at most {@code limit} exactly when the UTF-8 encoding of {@code text} is; counting stops
     * once past the limit, and no copy of a large text is made.
     */
    private static long utf8Length(String text, long limit) {
        if ((long) text.length() * 3 <= limit) {
            return text.length(); // at most 3 bytes per UTF-16 unit: certainly within the limit
        }
        long bytes = 0;
        for (int i = 0; i < text.length() && bytes <= limit; i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    private static void reject(RawDocument raw, String stage, String reason, Context ctx) {
        LOG.warn("Skipping document record at {} (topic={}, partition={}, offset={}): {}: {}", raw.position(),
                raw.topic(), raw.partition(), raw.offset(), stage, reason);
        ctx.output(REJECTED, new RejectedDocument(raw, stage, reason));
    }
}
