package io.streamrag.schemas;

import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * Flink serialization and deserialization schema for a generated record type, in Avro
 * single-object encoding (see {@link AvroCodec}). {@code null} maps to {@code null} both ways: a
 * {@code null} message is skipped by Flink's collector-based deserialization, and a {@code null}
 * record becomes a tombstone in a Kafka sink.
 *
 * <p>Serializable: only the record class travels with the job graph; the codec is built on first
 * use in each task (or in {@code open}). {@link #deserialize} throws {@link SchemaDecodingException}
 * for bad input, so a job that must not stop on bad input should deserialize raw bytes itself and
 * dead-letter what fails.
 *
 * <p>{@link #getProducedType()} is {@code TypeInformation.of(type)}: without {@code flink-avro} on
 * the classpath Flink treats the record as a generic (Kryo) type.
 *
 * <p>Thread-safe, like the codec it wraps (Flink uses one instance per task anyway).
 *
 * @param <T> the generated record class
 */
public final class AvroFlinkSchema<T extends SpecificRecord>
    implements SerializationSchema<T>, DeserializationSchema<T> {

  private static final long serialVersionUID = 1L;

  private final Class<T> type;
  // Built lazily after deserialization; AvroCodec is immutable with final fields, so a racy
  // double initialisation is harmless and publication is safe without volatile.
  private transient AvroCodec<T> codec;

  /** A schema for a generated record class. */
  public AvroFlinkSchema(Class<T> type) {
    this.type = Objects.requireNonNull(type, "type");
    this.codec = AvroCodec.of(type); // fail fast on a class that is not a generated record
  }

  /** A schema for a generated record class. */
  public static <T extends SpecificRecord> AvroFlinkSchema<T> of(Class<T> type) {
    return new AvroFlinkSchema<>(type);
  }

  private AvroCodec<T> codec() {
    AvroCodec<T> c = codec;
    if (c == null) {
      c = AvroCodec.of(type);
      codec = c;
    }
    return c;
  }

  /** Builds the codec before the first record arrives. */
  @Override
  public void open(SerializationSchema.InitializationContext context) {
    codec();
  }

  /** Builds the codec before the first record arrives. */
  @Override
  public void open(DeserializationSchema.InitializationContext context) {
    codec();
  }

  @Override
  public byte[] serialize(T element) {
    return element == null ? null : codec().encode(element);
  }

  /**
   * Decodes one message; {@code null} gives {@code null}.
   *
   * @throws SchemaDecodingException if the message cannot be decoded
   */
  @Override
  public T deserialize(byte[] message) {
    return message == null ? null : codec().decode(message);
  }

  /** Always false: topics of records have no end marker. */
  @Override
  public boolean isEndOfStream(T nextElement) {
    return false;
  }

  @Override
  public TypeInformation<T> getProducedType() {
    return TypeInformation.of(type);
  }

  @Override
  public String toString() {
    return "AvroFlinkSchema[" + type.getSimpleName() + "]";
  }
}
