package io.streamrag.ingest.internal;

import io.streamrag.schemas.IndexChange;
import io.streamrag.schemas.Topics;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.serialization.SerializationSchema;

/**
 * The Kafka key of an {@link IndexChange}: {@code collection/docId} in UTF-8, like the documents topic, so
 * that all changes of one document land in one partition, in order. Stateless.
 */
public final class IndexChangeKeySchema implements SerializationSchema<IndexChange> {
    private static final long serialVersionUID = 1L;

    @Override
    public byte[] serialize(IndexChange change) {
        return Topics.documentKey(change.getCollection(), change.getDocId()).getBytes(StandardCharsets.UTF_8);
    }
}
