package io.streamrag.schemas;

import io.streamrag.schemas.SchemaDecodingException.Reason;
import io.streamrag.schemas.internal.LengthLimitedDecoder;
import io.streamrag.schemas.internal.SchemaHistory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Modifier;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.stream.Collectors;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.SchemaStore;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;

/**
 * Encodes and decodes one generated record type in Avro
 * <a href="https://avro.apache.org/docs/1.12.0/specification/#single-object-encoding">single-object
 * encoding</a>: {@code C3 01}, the 8-byte little-endian CRC-64-AVRO fingerprint of the writer
 * schema, then the Avro binary body.
 *
 * <p>The fingerprint lets readers evolve without a registry. {@link #decode} resolves the body from
 * any writer schema it knows (the current schema, every version under
 * {@code io/streamrag/schemas/history/}, and whatever the optional extra {@link SchemaStore} returns)
 * into the current generated class. Everything else fails with a {@link SchemaDecodingException}
 * that says what was wrong; a corrupt body never makes the decoder allocate more than the payload
 * size.
 *
 * <p>Immutable and thread-safe: one instance per type may be shared by every thread. (Readers per
 * writer schema are cached internally; that changes no observable behaviour.)
 *
 * @param <T> the generated record class
 */
public final class AvroCodec<T extends SpecificRecord> {

  private static final int HEADER_LENGTH = 10;
  private static final byte MAGIC_0 = (byte) 0xC3;
  private static final byte MAGIC_1 = (byte) 0x01;
  private static final int HEX_PREVIEW = 16;
  private static final SchemaStore NO_SCHEMAS = fingerprint -> null;

  private final Class<T> type;
  private final Schema schema;
  private final SpecificData model;
  private final BinaryMessageEncoder<T> encoder;
  /** Writer schemas shipped with this build, by fingerprint, with a label such as "v2". */
  private final Map<Long, KnownWriter> knownWriters;
  private final SchemaStore extraWriters;
  private final ConcurrentMap<Long, SpecificDatumReader<T>> readers = new ConcurrentHashMap<>();

  private record KnownWriter(Schema schema, String label) {}

  private AvroCodec(Class<T> type, SchemaStore extraWriters) {
    this.type = type;
    this.model = SpecificData.getForClass(type);
    this.schema = schemaOf(type, model);
    this.encoder = new BinaryMessageEncoder<>(model, schema);
    this.extraWriters = extraWriters;

    long current = SchemaNormalization.parsingFingerprint64(schema);
    Map<Long, KnownWriter> known = new LinkedHashMap<>();
    for (SchemaHistory.Version v : SchemaHistory.versionsOf(schema.getFullName())) {
      known.putIfAbsent(v.fingerprint(), new KnownWriter(v.schema(), "v" + v.number()));
    }
    KnownWriter latest = known.get(current);
    known.put(current, new KnownWriter(schema, latest == null ? "current" : latest.label() + " (current)"));
    this.knownWriters = Map.copyOf(known);
  }

  /**
   * A codec for a generated record class that knows the current schema and its history.
   *
   * @throws IllegalArgumentException if {@code type} is not a concrete Avro-generated record class
   */
  public static <T extends SpecificRecord> AvroCodec<T> of(Class<T> type) {
    return of(type, NO_SCHEMAS);
  }

  /**
   * A codec that also asks {@code moreWriterSchemas} for writer schemas it does not know, such as
   * a newer version fetched from elsewhere. The store is asked on every decode of a still unknown
   * fingerprint, so schemas added to it later are picked up; it must be thread-safe
   * ({@link SchemaStore.Cache} is).
   *
   * @throws IllegalArgumentException if {@code type} is not a concrete Avro-generated record class
   */
  public static <T extends SpecificRecord> AvroCodec<T> of(Class<T> type, SchemaStore moreWriterSchemas) {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(moreWriterSchemas, "moreWriterSchemas");
    return new AvroCodec<>(type, moreWriterSchemas);
  }

  private static Schema schemaOf(Class<?> type, SpecificData model) {
    if (type.isInterface() || Modifier.isAbstract(type.getModifiers())) {
      throw new IllegalArgumentException("type must be an Avro-generated record class, got " + type.getName());
    }
    Schema schema;
    try {
      schema = model.getSchema(type);
    } catch (AvroRuntimeException e) {
      throw new IllegalArgumentException("type must be an Avro-generated record class, got " + type.getName()
          + ": " + e.getMessage(), e);
    }
    if (schema.getType() != Schema.Type.RECORD) {
      throw new IllegalArgumentException("type must be an Avro record class, got " + type.getName()
          + " with schema type " + schema.getType());
    }
    return schema;
  }

  /** The record class this codec produces. */
  public Class<T> type() {
    return type;
  }

  /** The current (reader and writer) schema. */
  public Schema schema() {
    return schema;
  }

  /** The parsing fingerprint of the current schema, as written into every encoded message. */
  public long fingerprint() {
    return SchemaNormalization.parsingFingerprint64(schema);
  }

  /**
   * Encodes {@code value} with the current schema.
   *
   * @throws NullPointerException if {@code value} is null
   * @throws IllegalArgumentException if the record is invalid for its schema (a required field is
   *     null, a value has the wrong type); the message names the field
   */
  public byte[] encode(T value) {
    Objects.requireNonNull(value, () -> "cannot encode a null " + type.getSimpleName());
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try {
      encoder.encode(value, out);
    } catch (IOException e) {
      // ByteArrayOutputStream does not throw; Avro declares it anyway.
      throw new UncheckedIOException("cannot encode " + type.getSimpleName(), e);
    } catch (NullPointerException | ClassCastException | AvroRuntimeException e) {
      // Avro reports an invalid record this way, e.g. "null value for (non-nullable) string at X.y".
      throw new IllegalArgumentException("cannot encode invalid " + type.getSimpleName() + ": " + e.getMessage(), e);
    }
    return out.toByteArray();
  }

  /**
   * Decodes a single-object encoded payload written with any writer schema this codec knows.
   *
   * @throws SchemaDecodingException if the payload is null or empty, is not single-object encoded,
   *     names an unknown or incompatible writer schema, or has a corrupt body
   */
  public T decode(byte[] payload) {
    if (payload == null || payload.length == 0) {
      throw new SchemaDecodingException(Reason.EMPTY_PAYLOAD,
          prefix() + "the payload is " + (payload == null ? "null" : "empty (0 bytes)"));
    }
    if (payload.length < HEADER_LENGTH || payload[0] != MAGIC_0 || payload[1] != MAGIC_1) {
      throw notSingleObject(payload);
    }
    long fingerprint = ByteBuffer.wrap(payload, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    SpecificDatumReader<T> reader = readerFor(fingerprint);
    int bodyLength = payload.length - HEADER_LENGTH;
    LengthLimitedDecoder in = new LengthLimitedDecoder(payload, HEADER_LENGTH, bodyLength);
    T value;
    boolean trailingBytes;
    try {
      value = reader.read(null, in);
      trailingBytes = !in.isEnd();
    } catch (IOException | RuntimeException e) {
      // Avro reports corrupt data with EOFException, AvroRuntimeException, ArrayIndexOutOfBounds...
      throw new SchemaDecodingException(Reason.CORRUPT_BODY, prefix() + "corrupt body: " + bodyLength
          + " body bytes do not decode with writer schema " + describe(fingerprint) + ": " + e, e);
    }
    if (trailingBytes) {
      throw new SchemaDecodingException(Reason.CORRUPT_BODY, prefix() + "corrupt body: bytes left over after a "
          + "complete record (" + bodyLength + " body bytes, writer schema " + describe(fingerprint) + ")");
    }
    return value;
  }

  private SpecificDatumReader<T> readerFor(long fingerprint) {
    SpecificDatumReader<T> reader = readers.get(fingerprint);
    if (reader != null) {
      return reader;
    }
    KnownWriter known = knownWriters.get(fingerprint);
    Schema writer = known != null ? known.schema() : extraWriters.findByFingerprint(fingerprint);
    if (writer == null) {
      throw unknownFingerprint(fingerprint);
    }
    if (known == null && SchemaNormalization.parsingFingerprint64(writer) != fingerprint) {
      throw new SchemaDecodingException(Reason.UNKNOWN_FINGERPRINT, prefix() + "the schema store returned "
          + writer.getFullName() + " with fingerprint " + hex(SchemaNormalization.parsingFingerprint64(writer))
          + " for fingerprint " + hex(fingerprint) + "; check the store's contents");
    }
    SchemaPairCompatibility compatibility = SchemaCompatibility.checkReaderWriterCompatibility(schema, writer);
    if (compatibility.getType() != SchemaCompatibilityType.COMPATIBLE) {
      String problems = compatibility.getResult().getIncompatibilities().stream()
          .map(i -> i.getType() + " at " + i.getLocation() + ": " + i.getMessage())
          .collect(Collectors.joining("; "));
      throw new SchemaDecodingException(Reason.INCOMPATIBLE_WRITER, prefix() + "writer schema "
          + writer.getFullName() + " (fingerprint " + hex(fingerprint) + ") cannot be read as the current "
          + type.getSimpleName() + ": " + problems);
    }
    return readers.computeIfAbsent(fingerprint, f -> new SpecificDatumReader<>(writer, schema, model));
  }

  private SchemaDecodingException unknownFingerprint(long fingerprint) {
    String knownList = knownWriters.entrySet().stream()
        .map(e -> e.getValue().label() + " " + hex(e.getKey()))
        .sorted()
        .collect(Collectors.joining(", "));
    String otherType = SchemaHistory.findByFingerprint(fingerprint)
        .filter(v -> !v.fullName().equals(schema.getFullName()))
        .map(v -> " It is the fingerprint of " + v.label() + ", so this payload is not a " + type.getSimpleName()
            + ": check that the topic and the codec match.")
        .orElse(" The writer may be newer than this reader: upgrade streamrag-schemas or add the writer's"
            + " schema to the codec's SchemaStore.");
    return new SchemaDecodingException(Reason.UNKNOWN_FINGERPRINT, prefix() + "unknown writer schema fingerprint "
        + hex(fingerprint) + " (this reader knows " + knownList + ")." + otherType);
  }

  private SchemaDecodingException notSingleObject(byte[] payload) {
    String what = payload.length < HEADER_LENGTH && payload[0] == MAGIC_0 && (payload.length == 1 || payload[1] == MAGIC_1)
        ? "it starts like one but has only " + payload.length + " bytes, fewer than the 10-byte header"
        : "expected magic C3 01 followed by an 8-byte schema fingerprint";
    return new SchemaDecodingException(Reason.NOT_SINGLE_OBJECT, prefix() + "the payload is not Avro single-object"
        + " encoded (" + what + "); got " + payload.length + " bytes starting " + hexPreview(payload) + guess(payload));
  }

  /** A hint for the usual culprits. */
  private static String guess(byte[] payload) {
    byte first = payload[0];
    if (first == '{' || first == '[') {
      return " (looks like JSON)";
    }
    if (first == 0 && payload.length >= 5) {
      return " (looks like the Confluent Schema Registry format: 0x00 and a 4-byte schema id)";
    }
    if (payload.length >= 4 && first == 'O' && payload[1] == 'b' && payload[2] == 'j' && payload[3] == 1) {
      return " (looks like an Avro object container file)";
    }
    return "";
  }

  private String describe(long fingerprint) {
    KnownWriter known = knownWriters.get(fingerprint);
    return schema.getFullName() + " " + (known != null ? known.label() + " " : "") + hex(fingerprint);
  }

  private String prefix() {
    return "cannot decode " + type.getSimpleName() + ": ";
  }

  private static String hex(long fingerprint) {
    return String.format("0x%016X", fingerprint);
  }

  private static String hexPreview(byte[] payload) {
    StringBuilder s = new StringBuilder();
    int n = Math.min(payload.length, HEX_PREVIEW);
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        s.append(' ');
      }
      s.append(String.format("%02X", payload[i] & 0xFF));
    }
    return payload.length > n ? s.append(" ...").toString() : s.toString();
  }

  @Override
  public String toString() {
    return "AvroCodec[" + schema.getFullName() + ", " + knownWriters.size() + " known writer schema(s)]";
  }
}
