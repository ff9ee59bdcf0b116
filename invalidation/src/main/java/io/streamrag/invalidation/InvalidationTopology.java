package io.streamrag.invalidation;

import io.streamrag.core.cache.CacheInvalidator;
import io.streamrag.invalidation.internal.ControlProcessor;
import io.streamrag.invalidation.internal.IndexChangeProcessor;
import io.streamrag.invalidation.internal.Retrying;
import io.streamrag.schemas.AvroCodec;
import io.streamrag.schemas.ControlEvent;
import io.streamrag.schemas.IndexChange;
import java.util.Objects;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;

/**
 * The invalidation processor's topology: two sources, each into one terminal processor that calls the
 * {@link CacheInvalidator}.
 *
 * <pre>
 * index-changes-source ─► invalidate-documents   (collection/docId → IndexChange: L1, L3, L4 of the document)
 * control-source       ─► invalidate-collections (collection → ControlEvent: L1 [settings], L2 [model])
 * </pre>
 *
 * <p>Values are read as raw bytes and decoded by the processors, so that an unreadable record is still invalidated
 * from its key. Stateless: no stores, no repartition topics, no output topics.
 */
public final class InvalidationTopology {
    static final String INDEX_CHANGES_SOURCE = "index-changes-source";
    static final String INVALIDATE_DOCUMENTS = "invalidate-documents";
    static final String CONTROL_SOURCE = "control-source";
    static final String INVALIDATE_COLLECTIONS = "invalidate-collections";

    private InvalidationTopology() {
    }

    /** {@link #build(InvalidationSettings, CacheInvalidator, InvalidationMetrics)} with metrics nobody reads. */
    public static Topology build(InvalidationSettings settings, CacheInvalidator invalidator) {
        return build(settings, invalidator, new InvalidationMetrics());
    }

    /**
     * Builds the topology without side effects: nothing is started or connected.
     *
     * @param invalidator shared by every task, so it must be thread-safe (as the SPI requires)
     * @param metrics     receives lag and counts
     */
    public static Topology build(InvalidationSettings settings, CacheInvalidator invalidator,
                                 InvalidationMetrics metrics) {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(invalidator, "invalidator");
        Objects.requireNonNull(metrics, "metrics");
        Retrying retrying = new Retrying(settings.retryBackoff(), settings.maxRetryTime(), metrics);
        AvroCodec<IndexChange> changes = AvroCodec.of(IndexChange.class);
        AvroCodec<ControlEvent> controls = AvroCodec.of(ControlEvent.class);

        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(settings.indexChangesTopic(),
                        Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName(INDEX_CHANGES_SOURCE))
                .process(() -> new IndexChangeProcessor(invalidator, changes, retrying, metrics, settings.clock()),
                        Named.as(INVALIDATE_DOCUMENTS));
        builder.stream(settings.controlTopic(),
                        Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName(CONTROL_SOURCE))
                .process(() -> new ControlProcessor(invalidator, controls, retrying, metrics),
                        Named.as(INVALIDATE_COLLECTIONS));
        return builder.build();
    }
}
