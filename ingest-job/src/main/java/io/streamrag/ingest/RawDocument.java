package io.streamrag.ingest;

import java.util.Arrays;
import java.util.Objects;

/**
 * One record of the documents topic before decoding: the bytes as they were read, and where they came from
 * (so that a record that cannot be decoded can be reported and dead-lettered with its position).
 *
 * <p>Immutable by convention: the arrays are not copied, so callers must not change them after construction.
 *
 * @param topic     the topic the record was read from
 * @param partition the partition, or -1 when the record did not come from Kafka
 * @param offset    the offset within the partition, or -1 when the record did not come from Kafka
 * @param key       the record key, may be null
 * @param value     the record value (an Avro single-object encoded {@code DocumentEvent}), may be null (a
 *                  tombstone)
 */
public record RawDocument(String topic, int partition, long offset, byte[] key, byte[] value) {

    public RawDocument {
        Objects.requireNonNull(topic, "topic");
    }

    /** Where this record came from, for log lines and dead letters: {@code topic-partition@offset}. */
    public String position() {
        return topic + "-" + partition + "@" + offset;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RawDocument other
                && partition == other.partition
                && offset == other.offset
                && topic.equals(other.topic)
                && Arrays.equals(key, other.key)
                && Arrays.equals(value, other.value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(topic, partition, offset, Arrays.hashCode(key), Arrays.hashCode(value));
    }

    @Override
    public String toString() {
        return "RawDocument[" + position() + ", " + (value == null ? "null" : value.length + " bytes") + "]";
    }
}
