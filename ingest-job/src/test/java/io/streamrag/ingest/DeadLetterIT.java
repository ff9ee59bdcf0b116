package io.streamrag.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamrag.core.store.LuceneShardStore;
import io.streamrag.core.store.VectorStore;
import io.streamrag.schemas.AvroCodec;
import io.streamrag.schemas.ControlEvent;
import io.streamrag.schemas.DeadLetter;
import io.streamrag.schemas.DocumentEvent;
import io.streamrag.schemas.DocumentOp;
import io.streamrag.schemas.IndexChange;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Invariant 5 on a MiniCluster: every kind of bad input, interleaved with good events, lands in the dead-letter
 * sink exactly once with its original bytes, position, stage and reason; every good event is indexed and
 * announced; the job finishes normally. Embeds with {@link PoisonSensitiveEmbedder} (fast, fails on demand).
 */
class DeadLetterIT {
    private static final AvroCodec<DocumentEvent> CODEC = AvroCodec.of(DocumentEvent.class);
    private static final String TOPIC = "rag.documents";
    private static final int MAX_TEXT_BYTES = 200;
    private static final int EMBED_ATTEMPTS = 3;

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = TestClusters.twoSlots();

    @TempDir
    Path tmp;

    /** A bad record and what its dead letter must say. */
    private record Bad(RawDocument raw, String stage, String reasonContains) {
    }

    @Test
    void everyBadRecordIsDeadLetteredOnceAndEveryGoodOneIsIndexed() throws Exception {
        Path indexDir = Files.createDirectories(tmp.resolve("index"));
        IngestSettings settings = IngestSettings.builder()
                .indexDir(indexDir)
                .maxTextBytes(MAX_TEXT_BYTES)
                .embedAttempts(EMBED_ATTEMPTS)
                .embedRetryBackoffMs(1)
                .commitIntervalMs(20)
                .build();

        byte[] unknownSchema = CODEC.encode(upsert("dlq", "u", 1, "an event from a newer writer"));
        unknownSchema[5] ^= 0x33; // another writer-schema fingerprint
        // versions are the offsets: the second round's events are new versions, not duplicates for the guard
        List<Function<Long, Bad>> badKinds = List.of(
                offset -> new Bad(raw(offset, "not avro at all".getBytes(StandardCharsets.UTF_8)), "decode",
                        "NOT_SINGLE_OBJECT"),
                offset -> new Bad(raw(offset, unknownSchema), "decode", "UNKNOWN_FINGERPRINT"),
                offset -> new Bad(raw(offset, null), "decode", "empty payload"),
                offset -> new Bad(raw(offset, CODEC.encode(upsert("dlq", "", 1, "no id"))), "validate",
                        "docId is missing"),
                offset -> new Bad(raw(offset, CODEC.encode(upsert("", "x", 1, "no collection"))), "validate",
                        "collection is missing"),
                offset -> new Bad(raw(offset, CODEC.encode(upsert("Not Valid!", "x", 1, "bad name"))), "validate",
                        "Not Valid!"),
                offset -> new Bad(raw(offset, CODEC.encode(upsert("dlq", "blank", offset, " \n "))), "validate",
                        "no text"),
                offset -> new Bad(raw(offset, CODEC.encode(upsert("dlq", "huge", offset, "word ".repeat(50)))),
                        "validate", "over the limit of " + MAX_TEXT_BYTES),
                offset -> new Bad(raw(offset, CODEC.encode(upsert("dlq", "poisoned", offset,
                        "This text contains " + PoisonSensitiveEmbedder.POISON + " for the model."))), "embed",
                        "failed " + EMBED_ATTEMPTS + " time(s)"));

        List<RawDocument> input = new ArrayList<>();
        List<Bad> bad = new ArrayList<>();
        Set<String> goodDocs = new java.util.TreeSet<>();
        long offset = 0;
        for (int round = 0; round < 2; round++) {
            for (Function<Long, Bad> kind : badKinds) {
                String good = "good-" + round + "-" + offset;
                input.add(raw(offset++, CODEC.encode(upsert("dlq", good, 1, "A good document number " + offset
                        + " about bees and honey."))));
                goodDocs.add(good);
                Bad b = kind.apply(offset++);
                input.add(b.raw());
                bad.add(b);
            }
        }

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        DataStream<RawDocument> documents = env.fromData(input, TypeInformation.of(RawDocument.class))
                .name("test-documents").uid("test-documents");
        String testId = UUID.randomUUID().toString();
        CollectingSink<IndexChange> changes = new CollectingSink<>(testId + "-changes");
        CollectingSink<DeadLetter> deadLetters = new CollectingSink<>(testId + "-dlq");
        IngestJob.defineWorkflow(env, documents, changes, deadLetters,
                new CollectingSink<ControlEvent>(testId + "-control"), settings, PoisonSensitiveEmbedder.factory());
        env.execute("dead-letter-it");

        List<DeadLetter> letters = deadLetters.drain();
        Map<Long, DeadLetter> byOffset = letters.stream()
                .collect(Collectors.toMap(DeadLetter::getSourceOffset, l -> l)); // throws on a duplicate offset
        assertThat(letters).hasSize(bad.size());
        for (Bad b : bad) {
            DeadLetter letter = byOffset.get(b.raw().offset());
            assertThat(letter).as("dead letter of %s (%s)", b.raw().position(), b.reasonContains()).isNotNull();
            assertThat(letter.getSourceTopic()).isEqualTo(TOPIC);
            assertThat(letter.getSourcePartition()).isEqualTo(b.raw().partition());
            assertThat(letter.getStage()).isEqualTo(b.stage());
            assertThat(letter.getError()).contains(b.reasonContains());
            assertThat(bytes(letter.getPayload())).isEqualTo(b.raw().value());
            assertThat(bytes(letter.getKey())).isEqualTo(b.raw().key());
            assertThat(letter.getAttempts()).isEqualTo(b.stage().equals("embed") ? EMBED_ATTEMPTS : 1);
        }

        List<IndexChange> announced = changes.drain();
        assertThat(announced).extracting(IndexChange::getDocId).containsExactlyInAnyOrderElementsOf(goodDocs);
        try (VectorStore reader = LuceneShardStore.builder().dataDir(indexDir)
                .dimension(PoisonSensitiveEmbedder.DIMENSION).readOnly(true).build()) {
            assertThat(IngestJobIT.chunksByDoc(reader, "dlq", PoisonSensitiveEmbedder.DIMENSION).keySet())
                    .containsExactlyInAnyOrderElementsOf(goodDocs);
        }
    }

    private static byte[] bytes(ByteBuffer buffer) {
        if (buffer == null) {
            return null;
        }
        byte[] copy = new byte[buffer.remaining()];
        buffer.duplicate().get(copy);
        return copy;
    }

    private static RawDocument raw(long offset, byte[] value) {
        return new RawDocument(TOPIC, (int) (offset % 3), offset, ("key-" + offset).getBytes(StandardCharsets.UTF_8),
                value);
    }

    private static DocumentEvent upsert(String collection, String docId, long version, String text) {
        return DocumentEvent.newBuilder()
                .setCollection(collection)
                .setDocId(docId)
                .setVersion(version)
                .setOp(DocumentOp.UPSERT)
                .setTitle(null)
                .setText(text)
                .setMetadata(Map.of())
                .setEventTime(Instant.ofEpochMilli(1_700_000_000_000L))
                .build();
    }
}
