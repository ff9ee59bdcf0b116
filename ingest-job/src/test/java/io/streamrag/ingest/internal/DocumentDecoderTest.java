package io.streamrag.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamrag.core.CollectionNames;
import io.streamrag.ingest.RawDocument;
import io.streamrag.schemas.AvroCodec;
import io.streamrag.schemas.DocumentEvent;
import io.streamrag.schemas.DocumentOp;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DocumentDecoderTest {
    private static final AvroCodec<DocumentEvent> CODEC = AvroCodec.of(DocumentEvent.class);
    private static final int MAX_TEXT_BYTES = 100;

    private OneInputStreamOperatorTestHarness<RawDocument, DocumentChange> harness;
    private long offset;

    @BeforeEach
    void openHarness() throws Exception {
        harness = ProcessFunctionTestHarnesses.forProcessFunction(new DocumentDecoder(MAX_TEXT_BYTES));
    }

    @AfterEach
    void closeHarness() throws Exception {
        harness.close();
    }

    @Test
    void decodesAnUpsertWithAllItsFields() throws Exception {
        process(CODEC.encode(event("docs", "a/b.md", 3, DocumentOp.UPSERT, "Hello", "Some text",
                Map.of("lang", "en"))));

        assertThat(harness.extractOutputValues()).singleElement().satisfies(c -> {
            assertThat(c.collection()).isEqualTo("docs");
            assertThat(c.docId()).isEqualTo("a/b.md");
            assertThat(c.version()).isEqualTo(3);
            assertThat(c.op()).isEqualTo(DocumentOp.UPSERT);
            assertThat(c.title()).isEqualTo("Hello");
            assertThat(c.text()).isEqualTo("Some text");
            assertThat(c.metadata()).containsExactlyEntriesOf(Map.of("lang", "en"));
            assertThat(c.eventTime()).isEqualTo(Instant.ofEpochMilli(1_700_000_000_000L));
            assertThat(c.position()).isEqualTo("rag.documents-0@0");
            assertThat(c.source().value()).isNotEmpty(); // the original bytes, for a dead letter after embedding
        });
        assertThat(rejected()).isEmpty();
    }

    @Test
    void aDeleteNeedsNoText() throws Exception {
        process(CODEC.encode(event("docs", "a", 2, DocumentOp.DELETE, null, null, Map.of())));

        assertThat(harness.extractOutputValues()).extracting(DocumentChange::op).containsExactly(DocumentOp.DELETE);
    }

    @Test
    void rejectsGarbageAndKeepsGoing() throws Exception {
        process("definitely not avro".getBytes(StandardCharsets.UTF_8));
        process(new byte[0]);
        process(null);
        process(CODEC.encode(event("docs", "a", 1, DocumentOp.UPSERT, null, "text", Map.of())));

        assertThat(harness.extractOutputValues()).extracting(DocumentChange::docId).containsExactly("a");
        assertThat(rejected()).extracting(r -> r.raw().offset()).containsExactly(0L, 1L, 2L);
        assertThat(rejected()).allSatisfy(r -> assertThat(r.stage()).isEqualTo("decode"));
        assertThat(rejected().get(0).reason()).isNotBlank();
    }

    @Test
    void rejectsInvalidEventsWithTheReason() throws Exception {
        process(CODEC.encode(event("docs", "a", 1, DocumentOp.UPSERT, "title only", null, Map.of())));
        process(CODEC.encode(event("docs", "b", 1, DocumentOp.UPSERT, null, "  \n ", Map.of())));
        process(CODEC.encode(event("docs", " ", 1, DocumentOp.UPSERT, null, "text", Map.of())));
        process(CODEC.encode(event("", "c", 1, DocumentOp.UPSERT, null, "text", Map.of())));
        process(CODEC.encode(event("a/b", "c", 1, DocumentOp.UPSERT, null, "text", Map.of())));

        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(rejected()).extracting(RejectedDocument::stage).containsOnly("validate");
        assertThat(rejected()).extracting(RejectedDocument::reason).satisfiesExactly(
                r -> assertThat(r).contains("docs/a").contains("no text"),
                r -> assertThat(r).contains("docs/b").contains("no text"),
                r -> assertThat(r).contains("docId"),
                r -> assertThat(r).contains("collection"),
                r -> assertThat(r).contains("collection").contains("a/b"));
    }

    @Test
    void rejectsAnUnknownWriterSchemaAtTheDecodeStage() throws Exception {
        byte[] unknownSchema = CODEC.encode(event("docs", "a", 1, DocumentOp.UPSERT, null, "text", Map.of()));
        unknownSchema[2] ^= 0x5A; // another fingerprint, same body

        process(unknownSchema);

        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(rejected()).singleElement().satisfies(r -> {
            assertThat(r.stage()).isEqualTo(RejectedDocument.DECODE);
            assertThat(r.reason()).contains("UNKNOWN_FINGERPRINT");
            assertThat(r.raw().value()).isEqualTo(unknownSchema);
        });
    }

    @Test
    void rejectsTextOverTheLimitCountingUtf8BytesAndAcceptsTextAtTheLimit() throws Exception {
        process(CODEC.encode(event("docs", "at-limit", 1, DocumentOp.UPSERT, null, "x".repeat(MAX_TEXT_BYTES),
                Map.of())));
        // 51 two-byte characters: 102 bytes, over the limit although only 51 chars
        process(CODEC.encode(event("docs", "over", 1, DocumentOp.UPSERT, null, "é".repeat(51), Map.of())));
        // a delete carries no text to limit
        process(CODEC.encode(event("docs", "gone", 2, DocumentOp.DELETE, null, "é".repeat(51), Map.of())));

        assertThat(harness.extractOutputValues()).extracting(DocumentChange::docId).containsExactly("at-limit", "gone");
        assertThat(rejected()).singleElement().satisfies(r -> {
            assertThat(r.stage()).isEqualTo(RejectedDocument.VALIDATE);
            assertThat(r.reason()).contains("docs/over").contains("102 bytes").contains("limit of 100");
        });
    }

    @Test
    void rejectsAMissingCollectionAndAMissingDocId() throws Exception {
        process(CODEC.encode(event("", "a", 1, DocumentOp.UPSERT, null, "text", Map.of())));
        process(CODEC.encode(event("docs", "", 1, DocumentOp.UPSERT, null, "text", Map.of())));

        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(rejected()).extracting(RejectedDocument::reason).satisfiesExactly(
                r -> assertThat(r).startsWith("collection is missing"),
                r -> assertThat(r).contains("docId is missing"));
    }

    @Test
    void decodesJsonNextToAvroWithTheSameValidation() throws Exception {
        process(json("{\"collection\":\"docs\",\"docId\":\"j1\",\"version\":4,\"title\":\"T\","
                + "\"text\":\"Json text\",\"metadata\":{\"k\":\"v\"}}"));
        process(CODEC.encode(event("docs", "a1", 1, DocumentOp.UPSERT, null, "avro text", Map.of())));
        process(json("{\"collection\":\"docs\",\"docId\":\"j2\",\"version\":5,\"op\":\"delete\"}"));

        assertThat(harness.extractOutputValues()).satisfiesExactly(
                c -> {
                    assertThat(c.docId()).isEqualTo("j1");
                    assertThat(c.version()).isEqualTo(4);
                    assertThat(c.text()).isEqualTo("Json text");
                    assertThat(c.metadata()).containsEntry("k", "v");
                },
                c -> assertThat(c.docId()).isEqualTo("a1"),
                c -> assertThat(c.op()).isEqualTo(DocumentOp.DELETE));
        assertThat(rejected()).isEmpty();
    }

    @Test
    void rejectsBadJsonWithTheSameReasonsAsAvroAndKeepsTheBytes() throws Exception {
        byte[] badName = json("{\"collection\":\"My Docs!\",\"docId\":\"d\",\"version\":1,\"text\":\"x\"}");
        process(badName);
        process(json("{\"docId\":\"d\",\"version\":1,\"text\":\"x\"}"));
        process(json("{\"collection\":\"docs\",\"docId\":\"d\",\"version\":1,\"text\":\" \"}"));
        process(json("{\"collection\":\"docs\",\"docId\":\"d\",\"text\":\"x\"}"));
        process(json("{\"collection\":\"docs\""));

        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(rejected()).satisfiesExactly(
                r -> {
                    assertThat(r.stage()).isEqualTo(RejectedDocument.VALIDATE);
                    assertThat(r.reason()).isEqualTo(CollectionNames.problem("My Docs!").orElseThrow());
                    assertThat(r.raw().value()).isEqualTo(badName);
                },
                r -> assertThat(r.reason()).startsWith("collection is missing"),
                r -> assertThat(r.reason()).contains("has no text"),
                r -> {
                    assertThat(r.stage()).isEqualTo(RejectedDocument.DECODE);
                    assertThat(r.reason()).startsWith("INVALID_JSON").contains("version is missing");
                },
                r -> assertThat(r.reason()).startsWith("INVALID_JSON").contains("not valid JSON"));
    }

    private static byte[] json(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private void process(byte[] value) throws Exception {
        harness.processElement(new RawDocument("rag.documents", 0, offset++, null, value), 0L);
    }

    private List<RejectedDocument> rejected() {
        return harness.getSideOutput(DocumentDecoder.REJECTED) == null ? List.of()
                : harness.getSideOutput(DocumentDecoder.REJECTED).stream().map(StreamRecord::getValue).toList();
    }

    static DocumentEvent event(String collection, String docId, long version, DocumentOp op, String title,
                               String text, Map<String, String> metadata) {
        return DocumentEvent.newBuilder()
                .setCollection(collection)
                .setDocId(docId)
                .setVersion(version)
                .setOp(op)
                .setTitle(title)
                .setText(text)
                .setMetadata(metadata)
                .setEventTime(Instant.ofEpochMilli(1_700_000_000_000L))
                .build();
    }
}
