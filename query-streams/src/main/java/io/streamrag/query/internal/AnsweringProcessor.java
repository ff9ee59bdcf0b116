package io.streamrag.query.internal;

import io.streamrag.core.query.QueryEngine;
import io.streamrag.core.query.QueryResult;
import io.streamrag.schemas.AvroCodec;
import io.streamrag.schemas.DeadLetter;
import io.streamrag.schemas.QueryRequest;
import io.streamrag.schemas.QueryResponse;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns one raw request record into exactly one {@link QueryOutcome.Reply} whenever a requestId can be found (in
 * the value or, failing that, the record key), plus a {@link QueryOutcome.DeadLettered} for every request that
 * could not be answered. A request with neither a decodable requestId nor a readable key cannot be replied to;
 * it is logged and dead-lettered.
 *
 * <p>Never throws for bad input or engine failures: a thrown exception would make Kafka Streams retry the same
 * record forever after the thread is replaced. One instance per stream task, so it is confined to one thread; the
 * engine is shared between tasks and must be thread-safe (as {@link QueryEngine} requires).
 */
public final class AnsweringProcessor implements Processor<byte[], byte[], String, QueryOutcome> {

    static final String STAGE_DECODE = "decode";
    static final String STAGE_VALIDATE = "validate";
    static final String STAGE_QUERY = "query";
    /**
     * The timing an answered response adds to the engine's stages: ms from the request record's timestamp (set by
     * the client's producer) to the start of its processing, i.e. the time it waited in Kafka and behind earlier
     * requests of its partition. Read against this processor's clock, so clock skew between hosts shows here.
     */
    public static final String TIMING_QUEUE = "queue";

    private static final Logger LOG = LoggerFactory.getLogger(AnsweringProcessor.class);
    private static final int LOGGED_KEY_BYTES = 64;

    private final QueryEngine engine;
    private final QueryMapper mapper;
    private final RequestValidator validator;
    private final Clock clock;
    private final AvroCodec<QueryRequest> codec;
    private ProcessorContext<String, QueryOutcome> context;

    /**
     * @param engine    shared by every task; must be thread-safe
     * @param codec     decodes request values; thread-safe, may be shared
     * @param mapper    turns requests into queries and results into responses
     * @param validator decides which decoded requests reach the engine
     * @param clock     stamps dead letters
     */
    public AnsweringProcessor(QueryEngine engine, AvroCodec<QueryRequest> codec, QueryMapper mapper,
                              RequestValidator validator, Clock clock) {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.codec = Objects.requireNonNull(codec, "codec");
        this.mapper = Objects.requireNonNull(mapper, "mapper");
        this.validator = Objects.requireNonNull(validator, "validator");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public void init(ProcessorContext<String, QueryOutcome> context) {
        this.context = context;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        long queuedMs = Math.max(0, clock.millis() - record.timestamp());
        String key = readableKey(record.key());
        QueryRequest request;
        try {
            request = codec.decode(record.value());
        } catch (RuntimeException e) {
            // SchemaDecodingException (null, empty or malformed value) is the expected case; anything else the
            // decoder throws is also caused by the bytes we were sent, so it is treated the same way.
            String reason = "the request could not be decoded: " + describe(e);
            LOG.warn("Undecodable request with key {} ({}): {}", loggable(record.key()), where(), reason);
            if (key != null) {
                reply(record, mapper.toErrorResponse(key, "", reason));
            }
            deadLetter(record, key, STAGE_DECODE, reason);
            return;
        }

        String requestId = request.getRequestId() != null && !request.getRequestId().isBlank()
                ? request.getRequestId() : key;
        if (requestId == null) {
            String reason = "the request has no requestId and the record no readable key";
            LOG.warn("Request that cannot be replied to ({}): {}", where(), reason);
            deadLetter(record, null, STAGE_VALIDATE, reason);
            return;
        }
        String collection = request.getCollection();

        Optional<String> rejection = validator.rejectionReason(request);
        if (rejection.isPresent()) {
            LOG.info("Rejected request {} for collection {}: {}", printable(requestId), printable(collection),
                    rejection.get());
            reply(record, mapper.toErrorResponse(requestId, collection, rejection.get()));
            deadLetter(record, requestId, STAGE_VALIDATE, rejection.get());
            return;
        }

        QueryResponse response;
        try {
            QueryResult result = engine.answer(mapper.toQuery(request));
            response = mapper.toResponse(requestId, collection, result);
            response.getTimingsMs().put(TIMING_QUEUE, queuedMs);
        } catch (RuntimeException e) {
            // The engine (or its result) failed for this request only; other requests may well succeed.
            LOG.warn("Query engine failed on request {} for collection {}",
                    printable(requestId), printable(collection), e);
            String reason = e.getMessage() != null ? e.getMessage() : e.getClass().getName();
            reply(record, mapper.toErrorResponse(requestId, collection, reason));
            deadLetter(record, requestId, STAGE_QUERY, describe(e));
            return;
        }
        reply(record, response);
        if (QueryMapper.ERROR_MODE.equals(response.getDegradationMode())) {
            // The engine answered, but only to say that it could not: the request still counts as unprocessed.
            deadLetter(record, requestId, STAGE_QUERY, "the engine answered in degradation mode error: "
                    + (response.getError() != null ? response.getError() : response.getAnswer()));
        }
    }

    private void reply(Record<byte[], byte[]> in, QueryResponse response) {
        context.forward(in.withKey(response.getRequestId()).withValue(new QueryOutcome.Reply(response)));
    }

    private void deadLetter(Record<byte[], byte[]> in, String requestId, String stage, String error) {
        Optional<RecordMetadata> meta = context.recordMetadata();
        DeadLetter letter = DeadLetter.newBuilder()
                .setSourceTopic(meta.map(RecordMetadata::topic).orElse(""))
                .setSourcePartition(meta.map(RecordMetadata::partition).orElse(-1))
                .setSourceOffset(meta.map(RecordMetadata::offset).orElse(-1L))
                .setKey(in.key() == null ? null : ByteBuffer.wrap(in.key()))
                .setPayload(in.value() == null ? null : ByteBuffer.wrap(in.value()))
                .setStage(stage)
                .setError(error)
                .setAttempts(1)
                .setTime(clock.instant())
                .build();
        context.forward(in.withKey(requestId).withValue(new QueryOutcome.DeadLettered(letter)));
    }

    private String where() {
        return context.recordMetadata()
                .map(m -> m.topic() + "-" + m.partition() + "@" + m.offset())
                .orElse("unknown offset");
    }

    /** The key as a requestId, or null when it is absent, blank or not UTF-8. */
    static String readableKey(byte[] key) {
        if (key == null || key.length == 0) {
            return null;
        }
        try {
            String text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(key)).toString();
            return text.isBlank() ? null : text;
        } catch (CharacterCodingException e) {
            // Not text, so not a requestId: the caller treats the request as one that cannot be replied to.
            return null;
        }
    }

    /** The key for a log line: its text if readable, else the first bytes in hex, so odd keys cannot forge lines. */
    private static String loggable(byte[] key) {
        String text = readableKey(key);
        if (text != null) {
            return printable(text);
        }
        if (key == null) {
            return "<none>";
        }
        int shown = Math.min(key.length, LOGGED_KEY_BYTES);
        return "0x" + HexFormat.of().formatHex(key, 0, shown) + (shown < key.length ? "..." : "");
    }

    /** Quoted, with control characters replaced, so that client-chosen text cannot forge log lines. */
    private static String printable(String text) {
        return text == null ? "<none>" : "'" + text.replaceAll("\\p{Cntrl}", "?") + "'";
    }

    private static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder(e.getClass().getSimpleName());
        if (e.getMessage() != null) {
            sb.append(": ").append(e.getMessage());
        }
        if (e.getCause() != null && e.getCause() != e) {
            sb.append(" (caused by ").append(describe(e.getCause())).append(')');
        }
        return sb.toString();
    }
}
