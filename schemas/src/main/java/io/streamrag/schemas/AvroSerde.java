package io.streamrag.schemas;

import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.avro.specific.SpecificRecord;

/**
 * Kafka {@link Serde} for a generated record type, in Avro single-object encoding (see
 * {@link AvroCodec}). {@code null} serializes to {@code null} and back, so tombstones pass through.
 *
 * <p>Deserialization failures throw {@link SchemaDecodingException}; Kafka wraps it in a
 * {@code RecordDeserializationException} in consumers and hands it to the
 * {@code DeserializationExceptionHandler} in Kafka Streams.
 *
 * <p>Immutable and thread-safe; {@link #configure} and {@link #close} do nothing, so one instance
 * may be shared by any number of clients.
 *
 * @param <T> the generated record class
 */
public final class AvroSerde<T extends SpecificRecord> implements Serde<T> {

  private final AvroCodec<T> codec;
  private final Serializer<T> serializer;
  private final Deserializer<T> deserializer;

  /** A serde that encodes and decodes with {@code codec}. */
  public AvroSerde(AvroCodec<T> codec) {
    this.codec = Objects.requireNonNull(codec, "codec");
    this.serializer = new AvroSerializer<>(codec);
    this.deserializer = new AvroDeserializer<>(codec);
  }

  /** A serde for a generated record class, with {@link AvroCodec#of(Class)}. */
  public static <T extends SpecificRecord> AvroSerde<T> of(Class<T> type) {
    return new AvroSerde<>(AvroCodec.of(type));
  }

  /** The codec behind this serde. */
  public AvroCodec<T> codec() {
    return codec;
  }

  @Override
  public Serializer<T> serializer() {
    return serializer;
  }

  @Override
  public Deserializer<T> deserializer() {
    return deserializer;
  }

  /** Does nothing: the codec is fixed at construction. */
  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {}

  /** Does nothing: this serde holds no resources. */
  @Override
  public void close() {}

  @Override
  public String toString() {
    return "AvroSerde[" + codec.type().getSimpleName() + "]";
  }

  private record AvroSerializer<T extends SpecificRecord>(AvroCodec<T> codec) implements Serializer<T> {
    @Override
    public byte[] serialize(String topic, T data) {
      return data == null ? null : codec.encode(data);
    }
  }

  private record AvroDeserializer<T extends SpecificRecord>(AvroCodec<T> codec) implements Deserializer<T> {
    @Override
    public T deserialize(String topic, byte[] data) {
      return data == null ? null : codec.decode(data);
    }
  }
}
