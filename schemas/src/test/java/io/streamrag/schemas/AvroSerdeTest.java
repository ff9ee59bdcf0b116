package io.streamrag.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamrag.schemas.SchemaDecodingException.Reason;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

class AvroSerdeTest {

  private final AvroSerde<QueryResponse> serde = AvroSerde.of(QueryResponse.class);

  @Test
  void roundTripsThroughSerializerAndDeserializer() {
    QueryResponse response = SampleRecords.fullQueryResponse();

    byte[] bytes = serde.serializer().serialize("rag.responses", response);

    assertThat(serde.deserializer().deserialize("rag.responses", bytes)).isEqualTo(response);
    assertThat(bytes).isEqualTo(serde.codec().encode(response));
  }

  @Test
  void roundTripsWithHeaders() {
    QueryResponse response = SampleRecords.sparseQueryResponse();
    RecordHeaders headers = new RecordHeaders();

    byte[] bytes = serde.serializer().serialize("t", headers, response);

    assertThat(serde.deserializer().deserialize("t", headers, bytes)).isEqualTo(response);
  }

  @Test
  void nullIsATombstoneBothWays() {
    assertThat(serde.serializer().serialize("t", null)).isNull();
    assertThat(serde.deserializer().deserialize("t", null)).isNull();
  }

  @Test
  void garbageFailsWithSchemaDecodingException() {
    byte[] garbage = "not avro".getBytes(StandardCharsets.US_ASCII);

    assertThatThrownBy(() -> serde.deserializer().deserialize("rag.responses", garbage))
        .isInstanceOfSatisfying(SchemaDecodingException.class,
            e -> assertThat(e.reason()).isEqualTo(Reason.NOT_SINGLE_OBJECT))
        .hasMessageContaining("6E 6F 74 20 61 76 72 6F");
  }

  @Test
  void configureAndCloseChangeNothing() {
    serde.configure(Map.of("anything", "x"), false);
    serde.close();
    serde.serializer().close();
    serde.deserializer().close();

    QueryResponse response = SampleRecords.fullQueryResponse();
    assertThat(serde.deserializer().deserialize("t", serde.serializer().serialize("t", response)))
        .isEqualTo(response);
  }

  @Test
  void everyTopicValueSerdeRoundTrips() {
    assertRoundTrip(Topics.DOCUMENTS.valueSerde(), SampleRecords.fullDocumentEvent());
    assertRoundTrip(Topics.DOCUMENTS_DLQ.valueSerde(), SampleRecords.fullDeadLetter());
    assertRoundTrip(Topics.INDEX_CHANGES.valueSerde(), SampleRecords.fullIndexChange());
    assertRoundTrip(Topics.QUERIES.valueSerde(), SampleRecords.fullQueryRequest());
    assertRoundTrip(Topics.RESPONSES.valueSerde(), SampleRecords.fullQueryResponse());
    assertRoundTrip(Topics.QUERIES_DLQ.valueSerde(), SampleRecords.sparseDeadLetter());
    assertRoundTrip(Topics.CONTROL.valueSerde(), SampleRecords.fullControlEvent());
  }

  private static <T> void assertRoundTrip(Serde<T> serde, T value) {
    byte[] bytes = serde.serializer().serialize("t", value);
    assertThat(serde.deserializer().deserialize("t", bytes)).isEqualTo(value);
  }
}
