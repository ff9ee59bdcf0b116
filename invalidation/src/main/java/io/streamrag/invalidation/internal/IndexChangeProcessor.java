package io.streamrag.invalidation.internal;

import io.streamrag.core.cache.CacheInvalidator;
import io.streamrag.invalidation.InvalidationMetrics;
import io.streamrag.schemas.AvroCodec;
import io.streamrag.schemas.IndexChange;
import io.streamrag.schemas.SchemaDecodingException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Objects;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Invalidates what one {@link IndexChange} (an update or delete of a document) may have made stale, then records
 * the invalidation lag. An undecodable value still names its document in the record key ({@code collection/docId}),
 * so it is invalidated from the key: a bad record must never become a missed invalidation. Only a record without a
 * usable key is skipped, logged with its position. One instance per task; confined to its stream thread.
 */
public final class IndexChangeProcessor implements Processor<byte[], byte[], Void, Void> {
    private static final Logger LOG = LoggerFactory.getLogger(IndexChangeProcessor.class);

    private final CacheInvalidator invalidator;
    private final AvroCodec<IndexChange> codec;
    private final Retrying retrying;
    private final InvalidationMetrics metrics;
    private final Clock clock;
    private ProcessorContext<Void, Void> context;

    public IndexChangeProcessor(CacheInvalidator invalidator, AvroCodec<IndexChange> codec, Retrying retrying,
                                InvalidationMetrics metrics, Clock clock) {
        this.invalidator = Objects.requireNonNull(invalidator, "invalidator");
        this.codec = Objects.requireNonNull(codec, "codec");
        this.retrying = Objects.requireNonNull(retrying, "retrying");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.context = context;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        IndexChange change = decode(record);
        String collection;
        String docId;
        if (change != null) {
            collection = change.getCollection();
            docId = change.getDocId();
        } else {
            String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
            int slash = key == null ? -1 : key.indexOf('/');
            if (slash <= 0 || slash == key.length() - 1) {
                LOG.error("skipping an index change without a decodable value or collection/docId key at {}",
                        position());
                return;
            }
            collection = key.substring(0, slash);
            docId = key.substring(slash + 1);
        }
        retrying.run("document " + collection + "/" + docId,
                () -> invalidator.documentChanged(collection, docId));
        metrics.indexChange();
        if (change != null) {
            metrics.recordLag(clock.millis() - change.getCommitTime().toEpochMilli());
        }
    }

    private IndexChange decode(Record<byte[], byte[]> record) {
        if (record.value() == null) {
            metrics.undecodable();
            LOG.warn("an index change without a value at {}; invalidating from its key", position());
            return null;
        }
        try {
            return codec.decode(record.value());
        } catch (SchemaDecodingException e) {
            metrics.undecodable();
            LOG.warn("undecodable index change at {}: {}; invalidating from its key", position(), e.getMessage());
            return null;
        }
    }

    private String position() {
        return context.recordMetadata()
                .map(m -> m.topic() + "-" + m.partition() + "@" + m.offset())
                .orElse("an unknown position");
    }
}
