package io.streamrag.invalidation.internal;

import io.streamrag.core.cache.CacheInvalidator;
import io.streamrag.invalidation.InvalidationMetrics;
import io.streamrag.schemas.AvroCodec;
import io.streamrag.schemas.ControlEvent;
import io.streamrag.schemas.ControlType;
import io.streamrag.schemas.SchemaDecodingException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a {@link ControlEvent}: settings changed → the collection's entries; embedding model changed → every
 * embedding and the collection's entries. An undecodable event keyed by its collection is treated as both (the
 * safe reading of "something about this collection changed"). One instance per task; confined to its thread.
 */
public final class ControlProcessor implements Processor<byte[], byte[], Void, Void> {
    private static final Logger LOG = LoggerFactory.getLogger(ControlProcessor.class);

    private final CacheInvalidator invalidator;
    private final AvroCodec<ControlEvent> codec;
    private final Retrying retrying;
    private final InvalidationMetrics metrics;
    private ProcessorContext<Void, Void> context;

    public ControlProcessor(CacheInvalidator invalidator, AvroCodec<ControlEvent> codec, Retrying retrying,
                            InvalidationMetrics metrics) {
        this.invalidator = Objects.requireNonNull(invalidator, "invalidator");
        this.codec = Objects.requireNonNull(codec, "codec");
        this.retrying = Objects.requireNonNull(retrying, "retrying");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.context = context;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        ControlEvent event = null;
        try {
            event = record.value() == null ? null : codec.decode(record.value());
        } catch (SchemaDecodingException e) {
            LOG.warn("undecodable control event at {}: {}", position(), e.getMessage());
        }
        metrics.controlEvent();
        if (event == null) {
            metrics.undecodable();
            String collection = record.key() == null ? "" : new String(record.key(), StandardCharsets.UTF_8);
            if (collection.isBlank()) {
                LOG.error("skipping a control event without a decodable value or collection key at {}", position());
                return;
            }
            retrying.run("collection " + collection + " (unreadable control event)",
                    () -> invalidator.embeddingModelChanged(collection));
            return;
        }
        String collection = event.getCollection();
        if (event.getType() == ControlType.EMBEDDING_MODEL_CHANGED) {
            retrying.run("embedding model of " + collection, () -> invalidator.embeddingModelChanged(collection));
        } else {
            retrying.run("settings of " + collection, () -> invalidator.collectionChanged(collection));
        }
    }

    private String position() {
        return context.recordMetadata()
                .map(m -> m.topic() + "-" + m.partition() + "@" + m.offset())
                .orElse("an unknown position");
    }
}
