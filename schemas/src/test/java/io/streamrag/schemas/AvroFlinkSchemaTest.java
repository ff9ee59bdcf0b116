package io.streamrag.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.util.ListCollector;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;

class AvroFlinkSchemaTest {

  private final AvroFlinkSchema<DocumentEvent> schema = AvroFlinkSchema.of(DocumentEvent.class);

  @Test
  void roundTrips() throws Exception {
    DocumentEvent event = SampleRecords.fullDocumentEvent();

    byte[] bytes = schema.serialize(event);

    assertThat(schema.deserialize(bytes)).isEqualTo(event);
    assertThat(bytes).isEqualTo(AvroCodec.of(DocumentEvent.class).encode(event));
  }

  @Test
  void worksAfterJavaSerializationLikeAFlinkJobGraph() throws Exception {
    AvroFlinkSchema<DocumentEvent> shipped = InstantiationUtil.clone(schema);
    shipped.open((SerializationSchema.InitializationContext) null);
    shipped.open((DeserializationSchema.InitializationContext) null);
    DocumentEvent event = SampleRecords.sparseDocumentEvent();

    assertThat(shipped.deserialize(shipped.serialize(event))).isEqualTo(event);
    // Lazily built codec without open(), too.
    AvroFlinkSchema<DocumentEvent> unopened = InstantiationUtil.clone(schema);
    assertThat(unopened.deserialize(schema.serialize(event))).isEqualTo(event);
  }

  @Test
  void producesTheRecordType() {
    TypeInformation<DocumentEvent> type = schema.getProducedType();

    assertThat(type).isEqualTo(TypeInformation.of(DocumentEvent.class));
    assertThat(type.getTypeClass()).isEqualTo(DocumentEvent.class);
    // Avro's own serializer (flink-avro), not the generic Kryo fallback.
    assertThat(type.getClass().getName()).isEqualTo("org.apache.flink.formats.avro.typeutils.AvroTypeInfo");
  }

  @Test
  void producedTypeSerializesRecordsBetweenOperators() throws Exception {
    assertFlinkSerializerRoundTrip(QueryResponse.class, SampleRecords.fullQueryResponse());
    assertFlinkSerializerRoundTrip(DocumentEvent.class, SampleRecords.fullDocumentEvent());
    assertFlinkSerializerRoundTrip(DocumentEvent.class, SampleRecords.sparseDocumentEvent());
    assertFlinkSerializerRoundTrip(DeadLetter.class, SampleRecords.fullDeadLetter());
  }

  private static <T extends org.apache.avro.specific.SpecificRecord> void assertFlinkSerializerRoundTrip(
      Class<T> type, T value) throws Exception {
    TypeSerializer<T> serializer = AvroFlinkSchema.of(type).getProducedType()
        .createSerializer(new SerializerConfigImpl());
    byte[] bytes = InstantiationUtil.serializeToByteArray(serializer, value);

    assertThat(InstantiationUtil.deserializeFromByteArray(serializer, bytes)).isEqualTo(value);
    assertThat(serializer.copy(value)).isEqualTo(value).isNotSameAs(value);
  }

  @Test
  void nullMapsToNullAndIsSkippedByTheCollector() throws Exception {
    List<DocumentEvent> out = new ArrayList<>();

    schema.deserialize(null, new ListCollector<>(out));

    assertThat(out).isEmpty();
    assertThat(schema.deserialize(null)).isNull();
    assertThat(schema.serialize(null)).isNull();
    assertThat(schema.isEndOfStream(SampleRecords.fullDocumentEvent())).isFalse();
  }

  @Test
  void garbageFailsWithSchemaDecodingException() {
    assertThatThrownBy(() -> schema.deserialize(new byte[] {(byte) 0xC3, 0x01, 1, 2}))
        .isInstanceOf(SchemaDecodingException.class)
        .hasMessageContaining("C3 01 01 02");
  }
}
