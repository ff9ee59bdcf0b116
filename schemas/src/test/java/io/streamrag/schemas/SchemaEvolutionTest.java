package io.streamrag.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.streamrag.schemas.SchemaDecodingException.Reason;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.SchemaStore;
import org.junit.jupiter.api.Test;

/** Readers and writers on different schema versions, through the single-object fingerprint. */
class SchemaEvolutionTest {

  private final Schema current = DocumentEvent.getClassSchema();
  /** What a future DocumentEvent may look like: one more optional field. */
  private final Schema newer = withExtraField(current, new Schema.Field("futureField",
      Schema.createUnion(Schema.create(Schema.Type.NULL), Schema.create(Schema.Type.STRING)),
      "added by a future writer", Schema.Field.NULL_DEFAULT_VALUE));

  @Test
  void addingAnOptionalFieldIsCompatibleBothWays() {
    assertThat(SchemaCompatibility.checkReaderWriterCompatibility(newer, current).getType())
        .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
    assertThat(SchemaCompatibility.checkReaderWriterCompatibility(current, newer).getType())
        .isEqualTo(SchemaCompatibilityType.COMPATIBLE);
  }

  @Test
  void newerReaderReadsBytesWrittenWithTheCurrentSchema() {
    DocumentEvent event = SampleRecords.fullDocumentEvent();
    byte[] bytes = AvroCodec.of(DocumentEvent.class).encode(event);
    BinaryMessageDecoder<GenericRecord> newerReader = new BinaryMessageDecoder<>(GenericData.get(), newer);
    newerReader.addSchema(current);

    GenericRecord read = decode(newerReader, bytes);

    assertThat(read.get("futureField")).isNull();
    assertThat(read.get("docId").toString()).isEqualTo(event.getDocId());
    assertThat(read.get("text").toString()).isEqualTo(event.getText());
    assertThat(read.get("eventTime")).isEqualTo(event.getEventTime().toEpochMilli());
  }

  @Test
  void currentReaderReadsNewerBytesOnceTheSchemaStoreKnowsTheNewerSchema() {
    SchemaStore.Cache store = new SchemaStore.Cache();
    AvroCodec<DocumentEvent> codec = AvroCodec.of(DocumentEvent.class, store);
    DocumentEvent expected = SampleRecords.fullDocumentEvent();
    byte[] newerBytes = writeWithNewerSchema(expected, "ja");

    SchemaDecodingException unknown = catchThrowableOfType(SchemaDecodingException.class,
        () -> codec.decode(newerBytes));
    assertThat(unknown.reason()).isEqualTo(Reason.UNKNOWN_FINGERPRINT);
    assertThat(unknown.getMessage())
        .contains(String.format("0x%016X", SchemaNormalization.parsingFingerprint64(newer)))
        .contains("The writer may be newer than this reader");

    store.addSchema(newer);

    assertThat(codec.decode(newerBytes)).isEqualTo(expected);
  }

  @Test
  void defaultCodecCannotReadANewerSchemaItHasNeverSeen() {
    byte[] newerBytes = writeWithNewerSchema(SampleRecords.fullDocumentEvent(), null);

    SchemaDecodingException e = catchThrowableOfType(SchemaDecodingException.class,
        () -> AvroCodec.of(DocumentEvent.class).decode(newerBytes));

    assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_FINGERPRINT);
    assertThat(e).hasMessageStartingWith("cannot decode DocumentEvent: unknown writer schema fingerprint");
  }

  @Test
  void incompatibleWriterSchemaIsRejectedWithTheReason() {
    // A writer that changed version from long to string: same name, different fingerprint.
    List<Schema.Field> fields = new ArrayList<>();
    for (Schema.Field f : current.getFields()) {
      Schema type = f.name().equals("version") ? Schema.create(Schema.Type.STRING) : f.schema();
      fields.add(new Schema.Field(f, type));
    }
    Schema incompatible = Schema.createRecord(current.getName(), null, current.getNamespace(), false, fields);
    SchemaStore.Cache store = new SchemaStore.Cache();
    store.addSchema(incompatible);
    GenericRecord record = new GenericData.Record(incompatible);
    record.put("collection", "c");
    record.put("docId", "d");
    record.put("version", "seven");
    record.put("op", new GenericData.EnumSymbol(current.getField("op").schema(), "UPSERT"));
    record.put("metadata", Map.of());
    record.put("eventTime", 0L);
    byte[] bytes = encode(new BinaryMessageEncoder<>(GenericData.get(), incompatible), record);

    SchemaDecodingException e = catchThrowableOfType(SchemaDecodingException.class,
        () -> AvroCodec.of(DocumentEvent.class, store).decode(bytes));

    assertThat(e.reason()).isEqualTo(Reason.INCOMPATIBLE_WRITER);
    assertThat(e.getMessage()).contains("cannot be read as the current DocumentEvent").contains("/fields/2");
  }

  private byte[] writeWithNewerSchema(DocumentEvent event, String futureValue) {
    GenericRecord record = new GenericData.Record(newer);
    record.put("collection", event.getCollection());
    record.put("docId", event.getDocId());
    record.put("version", event.getVersion());
    record.put("op", new GenericData.EnumSymbol(newer.getField("op").schema(), event.getOp().name()));
    record.put("title", event.getTitle());
    record.put("text", event.getText());
    record.put("metadata", new HashMap<>(event.getMetadata()));
    record.put("source", event.getSource());
    record.put("eventTime", event.getEventTime().toEpochMilli());
    record.put("futureField", futureValue);
    return encode(new BinaryMessageEncoder<>(GenericData.get(), newer), record);
  }

  private static Schema withExtraField(Schema schema, Schema.Field extra) {
    List<Schema.Field> fields = new ArrayList<>();
    for (Schema.Field f : schema.getFields()) {
      fields.add(new Schema.Field(f, f.schema()));
    }
    fields.add(extra);
    return Schema.createRecord(schema.getName(), schema.getDoc(), schema.getNamespace(), false, fields);
  }

  private static byte[] encode(BinaryMessageEncoder<GenericRecord> encoder, GenericRecord record) {
    try {
      ByteBuffer buffer = encoder.encode(record);
      byte[] bytes = new byte[buffer.remaining()];
      buffer.get(bytes);
      return bytes;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static GenericRecord decode(BinaryMessageDecoder<GenericRecord> decoder, byte[] bytes) {
    try {
      return decoder.decode(bytes);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
