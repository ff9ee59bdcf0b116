package io.streamrag.schemas;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/** Records of every type, once with every field set (unicode included) and once as sparse as allowed. */
final class SampleRecords {

  static final String UNICODE = "Grüße, naïve café — 日本語のテキスト, עברית, emoji 🚀👩‍🔬, NUL\u0000 end";
  static final Instant T0 = Instant.parse("2024-05-06T07:08:09.123Z");

  private SampleRecords() {}

  static DocumentEvent fullDocumentEvent() {
    return DocumentEvent.newBuilder()
        .setCollection("wiki-ü")
        .setDocId("docs/readme.md#" + UNICODE)
        .setVersion(Long.MAX_VALUE)
        .setOp(DocumentOp.UPSERT)
        .setTitle("Title " + UNICODE)
        .setText(UNICODE.repeat(50))
        .setMetadata(new HashMap<>(Map.of("lang", "日本語", "", "empty key", "k", "")))
        .setSource("file:///tmp/ä.md")
        .setEventTime(T0)
        .build();
  }

  static DocumentEvent sparseDocumentEvent() {
    return DocumentEvent.newBuilder()
        .setCollection("c").setDocId("d").setVersion(0).setOp(DocumentOp.DELETE)
        .setTitle(null).setText(null).setSource(null)
        .setEventTime(Instant.EPOCH)
        .build(); // metadata takes its default {}
  }

  static IndexChange fullIndexChange() {
    return IndexChange.newBuilder()
        .setCollection("wiki").setDocId("d/1").setVersion(7).setOp(DocumentOp.UPSERT)
        .setAddedChunkIds(List.of("wiki/d/1#0@7", "wiki/d/1#1@7", UNICODE))
        .setRemovedChunkIds(List.of("wiki/d/1#0@6"))
        .setCommitEpoch(-1L).setCommitTime(T0).setSourceEventTime(T0.minusSeconds(3))
        .build();
  }

  static IndexChange sparseIndexChange() {
    return IndexChange.newBuilder()
        .setCollection("c").setDocId("d").setVersion(1).setOp(DocumentOp.DELETE)
        .setCommitEpoch(0).setCommitTime(Instant.EPOCH).setSourceEventTime(Instant.EPOCH)
        .build(); // chunk id lists take their default []
  }

  static QueryRequest fullQueryRequest() {
    return QueryRequest.newBuilder()
        .setRequestId("req-1").setCollection("wiki").setText("Wer ist Ödön? " + UNICODE)
        .setFilters(new HashMap<>(Map.of("lang", "de", "year", "2024")))
        .setTopK(Integer.MAX_VALUE)
        .setOptions(new HashMap<>(Map.of("mode", "dense_only")))
        .setDeadline(T0)
        .build();
  }

  static QueryRequest sparseQueryRequest() {
    return QueryRequest.newBuilder()
        .setRequestId("r").setCollection("c").setText("")
        .build(); // filters, options, topK, deadline take their defaults
  }

  static Citation fullCitation() {
    return new Citation(1, "d/1", "wiki/d/1#0@7", 0.875, UNICODE);
  }

  static QueryResponse fullQueryResponse() {
    return QueryResponse.newBuilder()
        .setRequestId("req-1").setCollection("wiki").setAnswer("Antwort [1] " + UNICODE)
        .setCitations(List.of(fullCitation(), new Citation(2, "d/2", "wiki/d/2#3@1", -0.0, "")))
        .setDegradationMode("no_rerank")
        .setTimingsMs(new HashMap<>(Map.of("embed", 3L, "retrieve", 12L, "total", Long.MAX_VALUE)))
        .setCacheHits(List.of("L2"))
        .setError("reranker breaker open")
        .build();
  }

  static QueryResponse sparseQueryResponse() {
    return QueryResponse.newBuilder().setRequestId("r").setAnswer("").build();
  }

  static DeadLetter fullDeadLetter() {
    return DeadLetter.newBuilder()
        .setSourceTopic("rag.documents").setSourcePartition(11).setSourceOffset(Long.MAX_VALUE)
        .setKey(ByteBuffer.wrap("wiki/d/1".getBytes(StandardCharsets.UTF_8)))
        .setPayload(ByteBuffer.wrap(new byte[] {(byte) 0xC3, 0x01, 0, (byte) 0xFF, 0x7F}))
        .setStage("decode").setError("SchemaDecodingException: " + UNICODE).setAttempts(3).setTime(T0)
        .build();
  }

  static DeadLetter sparseDeadLetter() {
    return DeadLetter.newBuilder()
        .setSourceTopic("t").setSourcePartition(0).setSourceOffset(0)
        .setKey(null).setPayload(ByteBuffer.allocate(0))
        .setStage("").setError("").setTime(Instant.EPOCH)
        .build();
  }

  static ControlEvent fullControlEvent() {
    return ControlEvent.newBuilder()
        .setCollection("wiki").setType(ControlType.EMBEDDING_MODEL_CHANGED)
        .setSettings(new HashMap<>(Map.of("model", "bge-small-en-v1.5-q", "note", UNICODE)))
        .setTime(T0)
        .build();
  }

  static ControlEvent sparseControlEvent() {
    return ControlEvent.newBuilder()
        .setCollection("c").setType(ControlType.COLLECTION_SETTINGS_CHANGED).setTime(Instant.EPOCH)
        .build();
  }

  /** Every sample, full and sparse, of every record type. */
  static List<SpecificRecord> all() {
    return List.of(
        fullDocumentEvent(), sparseDocumentEvent(),
        fullIndexChange(), sparseIndexChange(),
        fullQueryRequest(), sparseQueryRequest(),
        fullQueryResponse(), sparseQueryResponse(),
        fullCitation(),
        fullDeadLetter(), sparseDeadLetter(),
        fullControlEvent(), sparseControlEvent());
  }
}
