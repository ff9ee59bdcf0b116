package io.streamrag.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

class TopicsTest {

  private static final List<Topic<String, ?>> ALL = List.of(Topics.DOCUMENTS, Topics.DOCUMENTS_DLQ,
      Topics.INDEX_CHANGES, Topics.QUERIES, Topics.RESPONSES, Topics.QUERIES_DLQ, Topics.CONTROL);

  @Test
  void namesAreTheDeclaredOnes() {
    assertThat(ALL).extracting(Topic::name).containsExactly("rag.documents", "rag.documents.dlq",
        "rag.index-changes", "rag.queries", "rag.responses", "rag.queries.dlq", "rag.control");
  }

  @Test
  void valueSerdesDecodeTheirOwnType() {
    assertThat(codecType(Topics.DOCUMENTS.valueSerde())).isEqualTo(DocumentEvent.class);
    assertThat(codecType(Topics.DOCUMENTS_DLQ.valueSerde())).isEqualTo(DeadLetter.class);
    assertThat(codecType(Topics.INDEX_CHANGES.valueSerde())).isEqualTo(IndexChange.class);
    assertThat(codecType(Topics.QUERIES.valueSerde())).isEqualTo(QueryRequest.class);
    assertThat(codecType(Topics.RESPONSES.valueSerde())).isEqualTo(QueryResponse.class);
    assertThat(codecType(Topics.QUERIES_DLQ.valueSerde())).isEqualTo(DeadLetter.class);
    assertThat(codecType(Topics.CONTROL.valueSerde())).isEqualTo(ControlEvent.class);
  }

  @Test
  void keysAreUtf8AndNullSafe() {
    for (Topic<String, ?> topic : ALL) {
      Serde<String> keys = topic.keySerde();
      String key = Topics.documentKey("wiki", "docs/日本語 ü.md");
      byte[] bytes = keys.serializer().serialize(topic.name(), key);
      assertThat(bytes).isEqualTo(key.getBytes(StandardCharsets.UTF_8));
      assertThat(keys.deserializer().deserialize(topic.name(), bytes)).isEqualTo(key);
      assertThat(keys.serializer().serialize(topic.name(), null)).isNull();
      assertThat(keys.deserializer().deserialize(topic.name(), null)).isNull();
    }
  }

  @Test
  void sharedKeySerdeCannotBeReconfigured() {
    Serde<String> keys = Topics.DOCUMENTS.keySerde();
    keys.configure(Map.of("key.serializer.encoding", "UTF-16", "serializer.encoding", "UTF-16"), true);

    assertThat(keys.serializer().serialize("t", "a")).containsExactly('a');
  }

  @Test
  void documentKeyIsCollectionSlashDocId() {
    assertThat(Topics.documentKey("wiki", "a/b.md")).isEqualTo("wiki/a/b.md");
  }

  @Test
  void documentKeyRejectsMissingParts() {
    assertThatThrownBy(() -> Topics.documentKey("c", "")).hasMessage("docId must not be empty");
    assertThatThrownBy(() -> Topics.documentKey(null, "d")).isInstanceOf(NullPointerException.class)
        .hasMessage("collection");
  }

  @Test
  void topicValidatesItsComponents() {
    assertThatThrownBy(() -> new Topic<>(" ", Topics.QUERIES.keySerde(), Topics.QUERIES.valueSerde()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("name must not be blank, got ' '");
    assertThatThrownBy(() -> new Topic<>("t", null, Topics.QUERIES.valueSerde()))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("keySerde");
  }

  private static Class<?> codecType(Serde<?> serde) {
    assertThat(serde).isInstanceOf(AvroSerde.class);
    return ((AvroSerde<?>) serde).codec().type();
  }
}
