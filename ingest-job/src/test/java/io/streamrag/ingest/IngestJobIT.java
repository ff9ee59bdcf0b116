package io.streamrag.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamrag.core.embed.EmbeddingModel;
import io.streamrag.core.store.LuceneShardStore;
import io.streamrag.core.store.ScoredChunk;
import io.streamrag.core.store.SearchFilter;
import io.streamrag.core.store.VectorStore;
import io.streamrag.schemas.AvroCodec;
import io.streamrag.schemas.ControlEvent;
import io.streamrag.schemas.DeadLetter;
import io.streamrag.schemas.DocumentEvent;
import io.streamrag.schemas.DocumentOp;
import io.streamrag.schemas.IndexChange;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole pipeline on a Flink MiniCluster with the real ONNX embedder and Lucene store: a bounded source
 * of encoded document events (updates, a stale redelivery, a delete, a duplicate, garbage, an invalid event)
 * and a sink that checks, at the moment each {@link IndexChange} arrives, that a read-only store over the
 * same directory already shows it (commit before announce).
 */
class IngestJobIT {
    private static final AvroCodec<DocumentEvent> CODEC = AvroCodec.of(DocumentEvent.class);

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = TestClusters.twoSlots();

    @TempDir
    Path tmp;

    private final String testId = UUID.randomUUID().toString();

    @AfterEach
    void forgetObservations() {
        CheckingSink.OBSERVATIONS.remove(testId);
    }

    @Test
    void indexesTheNewestVersionsAnnouncesOnlyCommittedChangesAndSkipsBadInput() throws Exception {
        // exists before the job starts: the checking sink's read-only store may open before the writer's
        Path indexDir = Files.createDirectories(tmp.resolve("index"));
        IngestSettings settings = IngestSettings.builder()
                .indexDir(indexDir)
                .embedThreads(1)
                // small chunks, so that one short document gives several
                .chunkMaxTokens(24)
                .chunkOverlapTokens(4)
                .commitIntervalMs(20)
                .maxBatchDocuments(3)
                .build();
        String bLong = "Bees build hexagonal combs from wax. "
                + "A colony has one queen, thousands of workers and a few drones. "
                + "Workers forage for nectar and pollen within a few kilometres of the hive. "
                + "Honey is nectar that bees have dried and stored in sealed cells.";
        List<RawDocument> input = List.of(
                raw(0, upsert("it", "a", 1, "Aardvarks", "The aardvark digs burrows and eats ants at night.")),
                raw(1, upsert("it", "b", 1, "Bees", bLong)),
                new RawDocument("rag.documents", 0, 2, null, "{not avro at all".getBytes(StandardCharsets.UTF_8)),
                raw(3, upsert("it", "a", 2, "Zeppelins", "A zeppelin is a rigid airship filled with gas.")),
                raw(4, upsert("it", "a", 1, "Aardvarks", "The aardvark digs burrows and eats ants at night.")),
                raw(5, upsert("it", "c", 1, "Cormorants", "Cormorants dive for fish along the coast.")),
                raw(6, delete("it", "c", 2)),
                raw(7, upsert("it", "b", 1, "Bees", bLong)),
                raw(8, upsert("it", "d", 1, "Empty", "   ")),
                raw(9, upsert("other", "a", 1, "Other aardvarks", "Another collection also has an aardvark.")));

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        DataStream<RawDocument> documents = env.fromData(input, TypeInformation.of(RawDocument.class))
                .name("test-documents").uid("test-documents");
        int dimension = EmbeddingModel.fromId(settings.embeddingModelId()).dimension();
        CollectingSink<DeadLetter> deadLetters = new CollectingSink<>(testId + "-dlq");
        CollectingSink<ControlEvent> control = new CollectingSink<>(testId + "-control");
        IngestJob.defineWorkflow(env, documents, new CheckingSink(testId, indexDir.toString(), dimension), deadLetters,
                control, settings);
        env.execute("ingest-job-it");

        // the garbage and the invalid d are dead-lettered, once each; stale and duplicate versions are not bad input
        // every collection is new: created with the job's settings, nothing to announce
        assertThat(control.drain()).isEmpty();
        assertThat(deadLetters.drain()).extracting(l -> l.getSourceOffset() + " " + l.getStage())
                .containsExactlyInAnyOrder("2 decode", "8 validate");

        List<Observation> observations = List.copyOf(CheckingSink.OBSERVATIONS.get(testId));
        List<IndexChange> changes = observations.stream().map(Observation::change).toList();

        // one announcement per applied version, in version order per document; nothing for the stale v1 of a,
        // the duplicate of b, the garbage or the invalid d
        assertThat(changes).extracting(c -> c.getCollection() + "/" + c.getDocId() + " " + c.getOp() + " v"
                        + c.getVersion())
                .containsExactlyInAnyOrder("it/a UPSERT v1", "it/b UPSERT v1", "it/a UPSERT v2", "it/c UPSERT v1",
                        "it/c DELETE v2", "other/a UPSERT v1");
        assertThat(changes.stream().filter(c -> c.getDocId().equals("a") && c.getCollection().equals("it"))
                .map(IndexChange::getVersion)).containsExactly(1L, 2L);

        // commit before announce: every announcement was visible to a reader when it arrived
        List<String> violations = new ArrayList<>();
        for (Observation o : observations) {
            violations.addAll(o.violations(changes));
        }
        assertThat(violations).isEmpty();

        // the index is the fold of the log: exactly the chunks of the newest versions, nothing of c
        try (VectorStore reader = LuceneShardStore.builder().dataDir(indexDir).dimension(dimension).readOnly(true)
                .build()) {
            Map<String, Set<String>> it = chunksByDoc(reader, "it", dimension);
            assertThat(it.keySet()).containsExactlyInAnyOrder("a", "b");
            assertThat(it.get("a")).isNotEmpty().allSatisfy(id -> assertThat(id).endsWith("@2"))
                    .containsExactlyInAnyOrderElementsOf(lastAnnounced(changes, "it", "a").getAddedChunkIds());
            assertThat(it.get("b")).hasSizeGreaterThan(1).allSatisfy(id -> assertThat(id).endsWith("@1"))
                    .containsExactlyInAnyOrderElementsOf(lastAnnounced(changes, "it", "b").getAddedChunkIds());
            assertThat(chunksByDoc(reader, "other", dimension).keySet()).containsExactly("a");

            assertThat(reader.searchKeyword("aardvark burrows", 10, SearchFilter.collection("it"))).isEmpty();
            assertThat(reader.searchKeyword("cormorants fish", 10, SearchFilter.collection("it"))).isEmpty();
            assertThat(reader.searchKeyword("zeppelin airship", 10, SearchFilter.collection("it")))
                    .extracting(s -> s.chunk().docId()).containsOnly("a");
            assertThat(reader.searchKeyword("aardvark", 10, SearchFilter.collection("other")))
                    .extracting(s -> s.chunk().collection()).containsOnly("other");
        }
    }

    private static IndexChange lastAnnounced(List<IndexChange> changes, String collection, String docId) {
        return changes.stream()
                .filter(c -> c.getCollection().equals(collection) && c.getDocId().equals(docId))
                .reduce((first, second) -> second)
                .orElseThrow(() -> new AssertionError("nothing announced for " + collection + "/" + docId));
    }

    /** Every chunk of the collection, by docId: dense search with any vector and k above the corpus size. */
    static Map<String, Set<String>> chunksByDoc(VectorStore store, String collection, int dimension) {
        float[] any = new float[dimension];
        any[0] = 1;
        return store.searchDense(any, 1000, SearchFilter.collection(collection)).stream()
                .map(ScoredChunk::chunk)
                .collect(Collectors.groupingBy(c -> c.docId(),
                        Collectors.mapping(c -> c.chunkId(), Collectors.toCollection(TreeSet::new))));
    }

    private static RawDocument raw(long offset, DocumentEvent event) {
        return new RawDocument("rag.documents", 0, offset, null, CODEC.encode(event));
    }

    private static DocumentEvent upsert(String collection, String docId, long version, String title, String text) {
        return event(collection, docId, version, DocumentOp.UPSERT, title, text);
    }

    private static DocumentEvent delete(String collection, String docId, long version) {
        return event(collection, docId, version, DocumentOp.DELETE, null, null);
    }

    private static DocumentEvent event(String collection, String docId, long version, DocumentOp op, String title,
                                       String text) {
        return DocumentEvent.newBuilder()
                .setCollection(collection)
                .setDocId(docId)
                .setVersion(version)
                .setOp(op)
                .setTitle(title)
                .setText(text)
                .setMetadata(Map.of())
                .setEventTime(Instant.ofEpochMilli(1_700_000_000_000L + version))
                .build();
    }

    /**
     * An announcement and the chunk ids of its document that a reader saw when it arrived.
     *
     * @param change  the announcement
     * @param visible the document's chunk ids visible to a read-only store at that moment
     */
    record Observation(IndexChange change, Set<String> visible) {

        /**
         * Why this announcement came before its commit, if it did. It was visible if the reader saw all chunks
         * it added and none it removed; or if a newer version of the document was committed in the same commit
         * (the sink is chained to the writer, so it sees exactly the state of the announcing commit).
         */
        List<String> violations(Collection<IndexChange> all) {
            boolean addedVisible = visible.containsAll(change.getAddedChunkIds());
            boolean removedGone = change.getRemovedChunkIds().stream().noneMatch(visible::contains);
            if (addedVisible && removedGone) {
                return List.of();
            }
            boolean supersededInSameCommit = all.stream().anyMatch(c -> c.getCollection().equals(change.getCollection())
                    && c.getDocId().equals(change.getDocId())
                    && c.getVersion() > change.getVersion()
                    && c.getCommitEpoch() == change.getCommitEpoch());
            if (supersededInSameCommit) {
                return List.of();
            }
            return List.of(change.getCollection() + "/" + change.getDocId() + " v" + change.getVersion()
                    + " announced at epoch " + change.getCommitEpoch() + " but a reader saw " + visible
                    + " (added " + change.getAddedChunkIds() + ", removed " + change.getRemovedChunkIds() + ")");
        }
    }

    /**
     * Collects announcements in a static map keyed by test id (acceptable in tests only) and records, for
     * each, what a read-only store over the index directory shows of its document at that moment.
     */
    static final class CheckingSink implements Sink<IndexChange> {
        private static final long serialVersionUID = 1L;
        static final Map<String, Queue<Observation>> OBSERVATIONS = new ConcurrentHashMap<>();

        private final String testId;
        private final String indexDir;
        private final int dimension;

        CheckingSink(String testId, String indexDir, int dimension) {
            this.testId = testId;
            this.indexDir = indexDir;
            this.dimension = dimension;
            OBSERVATIONS.put(testId, new ConcurrentLinkedQueue<>());
        }

        @Override
        public SinkWriter<IndexChange> createWriter(WriterInitContext context) {
            VectorStore reader = LuceneShardStore.builder().dataDir(Path.of(indexDir)).dimension(dimension)
                    .readOnly(true).build();
            Queue<Observation> observations = OBSERVATIONS.get(testId);
            return new SinkWriter<>() {
                @Override
                public void write(IndexChange change, Context ctx) {
                    Set<String> visible = chunksByDoc(reader, change.getCollection(), dimension)
                            .getOrDefault(change.getDocId(), Set.of());
                    observations.add(new Observation(change, visible));
                }

                @Override
                public void flush(boolean endOfInput) {
                    // observations are recorded synchronously in write()
                }

                @Override
                public void close() throws IOException {
                    reader.close();
                }
            };
        }
    }
}
