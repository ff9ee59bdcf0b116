package io.streamrag.query;

import io.streamrag.core.query.QueryEngine;
import io.streamrag.query.internal.AnsweringProcessor;
import io.streamrag.query.internal.QueryMapper;
import io.streamrag.query.internal.QueryOutcome;
import io.streamrag.query.internal.RequestValidator;
import io.streamrag.schemas.AvroCodec;
import io.streamrag.schemas.QueryRequest;
import io.streamrag.schemas.Topics;
import java.util.Objects;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;

/**
 * The query processor's topology: requests in, exactly one response out per request, dead letters for requests
 * that could not be answered.
 *
 * <pre>
 * queries-source ─► answer-queries ─┬► route-responses    ─► responses-sink    (requestId → QueryResponse)
 *  (raw bytes)                      └► route-dead-letters ─► dead-letters-sink (requestId or null → DeadLetter)
 * </pre>
 *
 * <p>Requests are read as raw bytes and decoded by {@code answer-queries}, so that a malformed record becomes an
 * error response and a dead letter instead of reaching Kafka Streams' deserialization handler. The topology is
 * stateless: no stores, no repartition topics.
 */
public final class QueryTopology {

    static final String SOURCE = "queries-source";
    static final String ANSWER = "answer-queries";
    static final String RESPONSES_SINK = "responses-sink";
    static final String DEAD_LETTERS_SINK = "dead-letters-sink";

    private QueryTopology() {
    }

    /**
     * Builds the topology without side effects: nothing is started or connected.
     *
     * @param settings topics, validation limits and the clock
     * @param engine   answers the requests; shared by all stream threads, so it must be thread-safe
     */
    public static Topology build(QueryStreamsSettings settings, QueryEngine engine) {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(engine, "engine");
        QueryMapper mapper = new QueryMapper(settings.defaultTopK());
        RequestValidator validator = new RequestValidator(settings.maxQuestionChars(), settings.clock());
        AvroCodec<QueryRequest> codec = AvroCodec.of(QueryRequest.class); // thread-safe: one for all tasks

        StreamsBuilder builder = new StreamsBuilder();
        KStream<String, QueryOutcome> outcomes = builder
                .stream(settings.queriesTopic(), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName(SOURCE))
                .process(() -> new AnsweringProcessor(engine, codec, mapper, validator, settings.clock()),
                        Named.as(ANSWER));

        outcomes.split(Named.as("route-"))
                .branch((requestId, outcome) -> outcome instanceof QueryOutcome.Reply,
                        Branched.withConsumer(replies -> replies
                                .mapValues(outcome -> ((QueryOutcome.Reply) outcome).response(),
                                        Named.as("unwrap-responses"))
                                .to(settings.responsesTopic(),
                                        Produced.with(Topics.RESPONSES.keySerde(), Topics.RESPONSES.valueSerde())
                                                .withName(RESPONSES_SINK)),
                                "responses"))
                .defaultBranch(Branched.withConsumer(letters -> letters
                                .mapValues(outcome -> ((QueryOutcome.DeadLettered) outcome).deadLetter(),
                                        Named.as("unwrap-dead-letters"))
                                .to(settings.deadLetterTopic(),
                                        Produced.with(Topics.QUERIES_DLQ.keySerde(), Topics.QUERIES_DLQ.valueSerde())
                                                .withName(DEAD_LETTERS_SINK)),
                        "dead-letters"));
        return builder.build();
    }
}
