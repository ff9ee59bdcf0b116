package io.streamrag.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.streamrag.schemas.SchemaDecodingException.Reason;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.specific.SpecificRecordBase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class AvroCodecTest {

  private final AvroCodec<DocumentEvent> documents = AvroCodec.of(DocumentEvent.class);

  static Stream<SpecificRecord> samples() {
    return SampleRecords.all().stream();
  }

  @SuppressWarnings("unchecked")
  private static <T extends SpecificRecord> AvroCodec<T> codecFor(T record) {
    return AvroCodec.of((Class<T>) record.getClass());
  }

  @ParameterizedTest(name = "{index}: {0}")
  @MethodSource("samples")
  void roundTripsEveryRecordType(SpecificRecord record) {
    AvroCodec<SpecificRecord> codec = codecFor(record);

    SpecificRecord decoded = codec.decode(codec.encode(record));

    assertThat(decoded).isInstanceOf(record.getClass()).isEqualTo(record);
  }

  @ParameterizedTest(name = "{index}: {0}")
  @MethodSource("samples")
  void writesStandardSingleObjectEncoding(SpecificRecord record) throws Exception {
    AvroCodec<SpecificRecord> codec = codecFor(record);
    byte[] bytes = codec.encode(record);

    assertThat(bytes[0]).isEqualTo((byte) 0xC3);
    assertThat(bytes[1]).isEqualTo((byte) 0x01);
    long fingerprint = ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    assertThat(fingerprint)
        .isEqualTo(SchemaNormalization.parsingFingerprint64(record.getSchema()))
        .isEqualTo(codec.fingerprint());
    // Interoperates with the generated classes' own single-object encoder and decoder.
    ByteBuffer generated = (ByteBuffer) record.getClass().getMethod("toByteBuffer").invoke(record);
    assertThat(codec.decode(toArray(generated))).isEqualTo(record);
    Object viaGenerated = record.getClass().getMethod("fromByteBuffer", ByteBuffer.class)
        .invoke(null, ByteBuffer.wrap(bytes));
    assertThat(viaGenerated).isEqualTo(record);
  }

  @Test
  void rejectsNullPayload() {
    SchemaDecodingException e = catchThrowableOfType(SchemaDecodingException.class, () -> documents.decode(null));

    assertThat(e.reason()).isEqualTo(Reason.EMPTY_PAYLOAD);
    assertThat(e).hasMessage("cannot decode DocumentEvent: the payload is null");
  }

  @Test
  void rejectsEmptyPayload() {
    SchemaDecodingException e = catchThrowableOfType(SchemaDecodingException.class,
        () -> documents.decode(new byte[0]));

    assertThat(e.reason()).isEqualTo(Reason.EMPTY_PAYLOAD);
    assertThat(e).hasMessageContaining("empty (0 bytes)");
  }

  @Test
  void rejectsJsonWithTheFirstBytesInHex() {
    byte[] json = "{\"id\":\"1\",\"text\":\"hello world, this is JSON\"}".getBytes(StandardCharsets.UTF_8);

    SchemaDecodingException e = catchThrowableOfType(SchemaDecodingException.class, () -> documents.decode(json));

    assertThat(e.reason()).isEqualTo(Reason.NOT_SINGLE_OBJECT);
    assertThat(e.getMessage())
        .contains("not Avro single-object encoded")
        .contains("expected magic C3 01")
        .contains(json.length + " bytes starting 7B 22 69 64 22 3A 22 31 22 2C 22 74 65 78 74 22 ...")
        .contains("looks like JSON");
  }

  @Test
  void recognisesConfluentFraming() {
    byte[] confluent = {0, 0, 0, 0, 42, 2, 'a'};

    assertThatThrownBy(() -> documents.decode(confluent))
        .isInstanceOf(SchemaDecodingException.class)
        .hasMessageContaining("00 00 00 00 2A 02 61")
        .hasMessageContaining("Confluent Schema Registry");
  }

  @Test
  void rejectsTruncatedHeader() {
    byte[] header = Arrays.copyOf(documents.encode(SampleRecords.fullDocumentEvent()), 6);

    SchemaDecodingException e = catchThrowableOfType(SchemaDecodingException.class, () -> documents.decode(header));

    assertThat(e.reason()).isEqualTo(Reason.NOT_SINGLE_OBJECT);
    assertThat(e).hasMessageContaining("only 6 bytes, fewer than the 10-byte header");
  }

  @Test
  void rejectsUnknownFingerprintAndShowsIt() {
    byte[] bytes = documents.encode(SampleRecords.fullDocumentEvent());
    ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(2, 0x0123456789ABCDEFL);

    SchemaDecodingException e = catchThrowableOfType(SchemaDecodingException.class, () -> documents.decode(bytes));

    assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_FINGERPRINT);
    assertThat(e.getMessage())
        .contains("unknown writer schema fingerprint 0x0123456789ABCDEF")
        .contains(String.format("(current) 0x%016X", documents.fingerprint()))
        .contains("writer may be newer than this reader");
  }

  @Test
  void namesTheRecordTypeWhenThePayloadIsAnotherStreamragRecord() {
    byte[] indexChange = AvroCodec.of(IndexChange.class).encode(SampleRecords.fullIndexChange());

    SchemaDecodingException e = catchThrowableOfType(SchemaDecodingException.class,
        () -> documents.decode(indexChange));

    assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_FINGERPRINT);
    assertThat(e).hasMessageContaining("fingerprint of IndexChange v").hasMessageContaining("so this payload is not a DocumentEvent");
  }

  @Test
  void rejectsTruncatedBody() {
    byte[] bytes = documents.encode(SampleRecords.fullDocumentEvent());
    byte[] truncated = Arrays.copyOf(bytes, bytes.length - 3);

    SchemaDecodingException e = catchThrowableOfType(SchemaDecodingException.class,
        () -> documents.decode(truncated));

    assertThat(e.reason()).isEqualTo(Reason.CORRUPT_BODY);
    assertThat(e.getMessage()).contains("corrupt body").contains("with writer schema io.streamrag.schemas.DocumentEvent v");
    assertThat(e).hasCauseInstanceOf(java.io.EOFException.class);
  }

  @Test
  void rejectsTrailingBytes() {
    byte[] bytes = documents.encode(SampleRecords.sparseDocumentEvent());
    byte[] longer = Arrays.copyOf(bytes, bytes.length + 2);

    SchemaDecodingException e = catchThrowableOfType(SchemaDecodingException.class, () -> documents.decode(longer));

    assertThat(e.reason()).isEqualTo(Reason.CORRUPT_BODY);
    assertThat(e).hasMessageContaining("bytes left over after a complete record");
  }

  @Test
  void rejectsImpossibleStringLengthWithoutAllocatingIt() {
    // Header, then collection length = 2^30 (zig-zag varint 80 80 80 80 08): would be a 1 GiB allocation.
    byte[] header = Arrays.copyOf(documents.encode(SampleRecords.sparseDocumentEvent()), 10);
    byte[] bytes = concat(header, new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08, 'x'});

    SchemaDecodingException e = catchThrowableOfType(SchemaDecodingException.class, () -> documents.decode(bytes));

    assertThat(e.reason()).isEqualTo(Reason.CORRUPT_BODY);
    assertThat(e).hasMessageContaining("string length 1073741824 is impossible in a 6-byte body");
  }

  @Test
  void rejectsImpossibleCollectionSizeWithoutAllocatingIt() {
    // An IndexChange whose addedChunkIds block claims 2^30 items.
    AvroCodec<IndexChange> changes = AvroCodec.of(IndexChange.class);
    byte[] header = Arrays.copyOf(changes.encode(SampleRecords.sparseIndexChange()), 10);
    byte[] body = {
        2, 'c', // collection "c"
        2, 'd', // docId "d"
        2, // version 1
        0, // op UPSERT
        (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08, // addedChunkIds: 2^30 items
        2, 'x'};

    SchemaDecodingException e = catchThrowableOfType(SchemaDecodingException.class,
        () -> changes.decode(concat(header, body)));

    assertThat(e.reason()).isEqualTo(Reason.CORRUPT_BODY);
    assertThat(e).hasMessageContaining("array block of 1073741824 items is impossible");
  }

  @Test
  void corruptedBytesDecodeOrFailWithSchemaDecodingExceptionOnly() {
    // A small record, so that most flipped bytes hit structure (lengths, indexes) rather than text.
    byte[] valid = documents.encode(DocumentEvents.upsert("c", "d", 1, "t", "x", Map.of("k", "v"), "s"));
    Random random = new Random(42);
    int failures = 0;
    for (int i = 0; i < 3000; i++) {
      byte[] bytes = valid.clone();
      int flips = 1 + random.nextInt(4);
      for (int f = 0; f < flips; f++) {
        bytes[10 + random.nextInt(bytes.length - 10)] = (byte) random.nextInt(256);
      }
      try {
        assertThat(documents.decode(bytes)).isNotNull();
      } catch (SchemaDecodingException e) {
        assertThat(e.reason()).isEqualTo(Reason.CORRUPT_BODY);
        failures++;
      }
    }
    assertThat(failures).as("most random corruptions must be detected").isGreaterThan(100);
  }

  @Test
  void randomGarbageFailsWithSchemaDecodingException() {
    Random random = new Random(7);
    for (int i = 0; i < 500; i++) {
      byte[] garbage = new byte[1 + random.nextInt(64)];
      random.nextBytes(garbage);
      assertThatThrownBy(() -> documents.decode(garbage)).isInstanceOf(SchemaDecodingException.class);
    }
  }

  @Test
  void encodeRejectsNull() {
    assertThatThrownBy(() -> documents.encode(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("cannot encode a null DocumentEvent");
  }

  @Test
  void encodeRejectsARecordWithAMissingRequiredFieldAndNamesIt() {
    DocumentEvent invalid = SampleRecords.fullDocumentEvent();
    invalid.setDocId(null);

    assertThatThrownBy(() -> documents.encode(invalid))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cannot encode invalid DocumentEvent")
        .hasMessageContaining("docId");
  }

  @Test
  @SuppressWarnings({"unchecked", "rawtypes"})
  void ofRejectsClassesThatAreNotGeneratedRecords() {
    assertThatThrownBy(() -> AvroCodec.of((Class) SpecificRecordBase.class))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("SpecificRecordBase");
  }

  @Test
  void isSafeToShareBetweenThreads() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      AvroCodec<QueryResponse> codec = AvroCodec.of(QueryResponse.class);
      List<Future<Integer>> results = pool.invokeAll(Stream.<Callable<Integer>>generate(() -> () -> {
        int n = 0;
        for (int i = 0; i < 500; i++) {
          QueryResponse r = (i % 2 == 0) ? SampleRecords.fullQueryResponse() : SampleRecords.sparseQueryResponse();
          assertThat(codec.decode(codec.encode(r))).isEqualTo(r);
          n++;
        }
        return n;
      }).limit(4).toList());
      for (Future<Integer> f : results) {
        assertThat(f.get()).isEqualTo(500);
      }
    } finally {
      pool.shutdown();
      assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  private static byte[] toArray(ByteBuffer buffer) {
    byte[] bytes = new byte[buffer.remaining()];
    buffer.duplicate().get(bytes);
    return bytes;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
