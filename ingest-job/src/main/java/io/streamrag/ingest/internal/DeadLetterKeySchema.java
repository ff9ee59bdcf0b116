package io.streamrag.ingest.internal;

import io.streamrag.schemas.DeadLetter;
import java.nio.ByteBuffer;
import org.apache.flink.api.common.serialization.SerializationSchema;

/**
 * The Kafka key of a {@link DeadLetter} on the documents DLQ: the original record's key bytes, unchanged
 * (usually {@code collection/docId}, like the documents topic), or none when the original had none. Stateless.
 */
public final class DeadLetterKeySchema implements SerializationSchema<DeadLetter> {
    private static final long serialVersionUID = 1L;

    @Override
    public byte[] serialize(DeadLetter letter) {
        ByteBuffer key = letter.getKey();
        if (key == null) {
            return null;
        }
        ByteBuffer copy = key.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return bytes;
    }
}
