package io.streamrag.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamrag.core.store.LuceneShardStore;
import io.streamrag.core.store.ShardOwnership;
import io.streamrag.core.store.ShardRouter;
import io.streamrag.ingest.IngestJobIT.CheckingSink;
import io.streamrag.ingest.IngestJobIT.Observation;
import io.streamrag.schemas.AvroCodec;
import io.streamrag.schemas.ControlEvent;
import io.streamrag.schemas.DeadLetter;
import io.streamrag.schemas.DocumentEvent;
import io.streamrag.schemas.DocumentOp;
import io.streamrag.schemas.IndexChange;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipeline at parallelism 2 everywhere (two version guards, two embedders, two store writers sharing one
 * index directory, each owning a share of the shards) over a log of updates, deletes, stale and duplicate
 * versions of many documents in three collections (one with three shards). Checks against an independent fold of
 * the log: the index holds exactly the newest version of every live document, every applied version is announced
 * exactly once and in version order per document, and every announcement was visible to a reader when it
 * arrived. Embeds with {@link PoisonSensitiveEmbedder} (fast and deterministic).
 */
class ParallelIngestIT {
    private static final AvroCodec<DocumentEvent> CODEC = AvroCodec.of(DocumentEvent.class);
    private static final int DIMENSION = PoisonSensitiveEmbedder.DIMENSION;
    private static final List<String> COLLECTIONS = List.of("alpha", "beta", "gamma");
    private static final Map<String, Integer> SHARDS = Map.of("alpha", 2, "beta", 2, "gamma", 3);

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
    void twoWritersIndexTheFoldOfTheLogAndAnnounceEachVersionOnceAfterItsCommit() throws Exception {
        Path indexDir = Files.createDirectories(tmp.resolve("index"));
        IngestSettings settings = IngestSettings.builder()
                .indexDir(indexDir)
                .shardsPerCollection(2)
                .collectionShards(Map.of("gamma", 3))
                // whitespace tokens (the test embedder's): several chunks per document
                .chunkMaxTokens(6)
                .chunkOverlapTokens(1)
                .commitIntervalMs(20)
                .maxBatchDocuments(4)
                .build();
        List<DocumentEvent> log = log(new Random(42));
        List<RawDocument> input = new ArrayList<>();
        for (DocumentEvent event : log) {
            input.add(new RawDocument("rag.documents", 0, input.size(), null, CODEC.encode(event)));
        }

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        DataStream<RawDocument> documents = env.fromData(input, TypeInformation.of(RawDocument.class))
                .name("test-documents").uid("test-documents");
        CollectingSink<DeadLetter> deadLetters = new CollectingSink<>(testId + "-dlq");
        CollectingSink<ControlEvent> control = new CollectingSink<>(testId + "-control");
        IngestJob.defineWorkflow(env, documents, new CheckingSink(testId, indexDir.toString(), DIMENSION),
                deadLetters, control, settings, PoisonSensitiveEmbedder.factory());
        env.execute("parallel-ingest-it");

        assertThat(deadLetters.drain()).isEmpty();
        assertThat(control.drain()).isEmpty();
        Fold fold = Fold.of(log);
        List<Observation> observations = List.copyOf(CheckingSink.OBSERVATIONS.get(testId));
        List<IndexChange> changes = observations.stream().map(Observation::change).toList();

        // every applied version announced exactly once; nothing for stale or duplicate versions
        assertThat(changes).extracting(ParallelIngestIT::versionKey)
                .containsExactlyInAnyOrderElementsOf(fold.applied());
        // in version order per document
        Map<String, List<Long>> announcedVersions = new HashMap<>();
        for (IndexChange c : changes) {
            announcedVersions.computeIfAbsent(c.getCollection() + "/" + c.getDocId(), k -> new ArrayList<>())
                    .add(c.getVersion());
        }
        announcedVersions.forEach((doc, versions) ->
                assertThat(versions).as("versions of %s", doc).isSorted().doesNotHaveDuplicates());

        // commit before announce: every announcement was visible to a reader at the moment it arrived
        List<String> violations = new ArrayList<>();
        for (Observation o : observations) {
            violations.addAll(o.violations(changes));
        }
        assertThat(violations).isEmpty();

        // the index is the fold of the log: exactly the chunks of the newest version of every live document
        try (LuceneShardStore reader = LuceneShardStore.builder().dataDir(indexDir).dimension(DIMENSION)
                .readOnly(true).build()) {
            for (String collection : COLLECTIONS) {
                Map<String, Set<String>> indexed = IngestJobIT.chunksByDoc(reader, collection, DIMENSION);
                Map<String, Long> live = fold.live(collection);
                assertThat(indexed.keySet()).as("documents of %s", collection)
                        .containsExactlyInAnyOrderElementsOf(live.keySet());
                live.forEach((docId, version) -> {
                    IndexChange last = lastAnnounced(changes, collection, docId);
                    assertThat(last.getVersion()).isEqualTo(version);
                    assertThat(indexed.get(docId)).as("chunks of %s/%s", collection, docId)
                            .hasSizeGreaterThan(1)
                            .allSatisfy(id -> assertThat(id).endsWith("@" + version))
                            .containsExactlyInAnyOrderElementsOf(last.getAddedChunkIds());
                });
                assertThat(reader.recordedSettings(collection).orElseThrow().shards())
                        .isEqualTo(SHARDS.get(collection));
            }
        }

        // both writers committed, each into the shards it owns (the log spreads documents over every shard)
        assertThat(indexDir.resolve("_commit-epoch-0-of-2")).isRegularFile();
        assertThat(indexDir.resolve("_commit-epoch-1-of-2")).isRegularFile();
        Set<Integer> writersUsed = new java.util.HashSet<>();
        for (IndexChange c : changes) {
            int shard = new ShardRouter(SHARDS.get(c.getCollection())).shardFor(c.getDocId());
            writersUsed.add(ShardOwnership.writerOf(c.getCollection(), shard, 2));
        }
        assertThat(writersUsed).containsExactlyInAnyOrder(0, 1);
    }

    /**
     * A log of 8 documents per collection: each gets versions 1..5 (upserts, one of them a delete for some
     * documents), delivered out of order with redeliveries, interleaved across documents and collections.
     */
    private static List<DocumentEvent> log(Random random) {
        List<List<DocumentEvent>> perDocument = new ArrayList<>();
        for (String collection : COLLECTIONS) {
            for (int d = 0; d < 8; d++) {
                String docId = collection.charAt(0) + "-doc-" + d;
                List<DocumentEvent> events = new ArrayList<>();
                for (long v = 1; v <= 5; v++) {
                    boolean delete = (d % 3 == 0 && v == 4) || (d % 4 == 1 && v == 5);
                    events.add(delete ? delete(collection, docId, v) : upsert(collection, docId, v));
                }
                Collections.shuffle(events, random);
                // a redelivery of a random version, later in the log
                events.add(events.get(random.nextInt(events.size())));
                perDocument.add(events);
            }
        }
        // interleave: repeatedly take the next event of a random document
        List<DocumentEvent> log = new ArrayList<>();
        while (!perDocument.isEmpty()) {
            int i = random.nextInt(perDocument.size());
            log.add(perDocument.get(i).remove(0));
            if (perDocument.get(i).isEmpty()) {
                perDocument.remove(i);
            }
        }
        return log;
    }

    /** What the version guard must do with a log, computed independently of the job. */
    private record Fold(List<String> applied, Map<String, Map<String, DocumentEvent>> newest) {

        static Fold of(List<DocumentEvent> log) {
            List<String> applied = new ArrayList<>();
            Map<String, Map<String, DocumentEvent>> newest = new TreeMap<>();
            for (DocumentEvent e : log) {
                Map<String, DocumentEvent> docs = newest.computeIfAbsent(e.getCollection(), c -> new TreeMap<>());
                DocumentEvent previous = docs.get(e.getDocId());
                if (previous == null || e.getVersion() > previous.getVersion()) {
                    docs.put(e.getDocId(), e);
                    applied.add(e.getCollection() + "/" + e.getDocId() + " " + e.getOp() + " v" + e.getVersion());
                }
            }
            return new Fold(applied, newest);
        }

        /** The live documents of {@code collection} and their newest versions. */
        Map<String, Long> live(String collection) {
            Map<String, Long> live = new LinkedHashMap<>();
            newest.getOrDefault(collection, Map.of()).forEach((docId, e) -> {
                if (e.getOp() == DocumentOp.UPSERT) {
                    live.put(docId, e.getVersion());
                }
            });
            return live;
        }
    }

    private static String versionKey(IndexChange c) {
        return c.getCollection() + "/" + c.getDocId() + " " + c.getOp() + " v" + c.getVersion();
    }

    private static IndexChange lastAnnounced(List<IndexChange> changes, String collection, String docId) {
        return changes.stream()
                .filter(c -> c.getCollection().equals(collection) && c.getDocId().equals(docId))
                .reduce((first, second) -> second)
                .orElseThrow(() -> new AssertionError("nothing announced for " + collection + "/" + docId));
    }

    private static DocumentEvent upsert(String collection, String docId, long version) {
        return event(collection, docId, version, DocumentOp.UPSERT, "Title " + docId,
                "Version " + version + " of " + docId + " says words one two three four five six seven eight nine "
                        + "ten eleven twelve about " + collection + " and nothing else");
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
}
