package io.streamrag.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamrag.core.store.internal.ChunkDocuments;
import io.streamrag.core.store.internal.CollectionSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LuceneShardStoreTest extends VectorStoreContract {
    @TempDir
    Path dataDir;

    @Override
    protected VectorStore createStore() {
        return writer(2);
    }

    @Override
    protected VectorStore createReader() {
        return LuceneShardStore.builder().dataDir(dataDir).dimension(DIMENSION).readOnly(true).build();
    }

    private LuceneShardStore writer(int shards) {
        return LuceneShardStore.builder().dataDir(dataDir).dimension(DIMENSION).shardsPerCollection(shards).build();
    }

    @Test
    void committedDataSurvivesCloseAndReopenAndUncommittedDataDoesNot() {
        List<IndexedChunk> v1 = chunks(COLLECTION, "d1", 1, 3);
        long epochBeforeRestart;
        try (LuceneShardStore store = writer(2)) {
            store.replaceDocument(COLLECTION, "d1", v1);
            epochBeforeRestart = store.commit();
            store.replaceDocument(COLLECTION, "uncommitted", chunks(COLLECTION, "uncommitted", 1, 1));
        }
        try (LuceneShardStore store = writer(2)) {
            assertThat(visibleChunkIds(store, COLLECTION, "d1")).containsExactlyInAnyOrderElementsOf(ids(v1));
            assertThat(visibleChunkIds(store, COLLECTION, "uncommitted")).isEmpty();
            // The store still knows the old chunks after a restart, so a replace reports them as removed.
            WriteResult v2 = store.replaceDocument(COLLECTION, "d1", chunks(COLLECTION, "d1", 2, 1));
            assertThat(v2.removedChunkIds()).containsExactlyInAnyOrderElementsOf(ids(v1));
            assertThat(store.commit()).isGreaterThan(epochBeforeRestart);
        }
    }

    @Test
    void aReadOnlyInstanceSeesEachCommitOfTheWriterIncludingNewCollections() {
        // The reader opens first, over a directory where nothing exists yet.
        VectorStore reader = openReader();
        VectorStore writer = openStore();
        assertThat(reader.searchKeyword("kafka", 10, SearchFilter.collection("late"))).isEmpty();

        writer.replaceDocument("late", "d1", chunks("late", "d1", 1, 2));
        assertThat(reader.searchKeyword("kafka", 10, SearchFilter.collection("late"))).isEmpty();
        writer.commit();
        assertThat(visibleChunkIds(reader, "late", "d1")).hasSize(2);

        writer.replaceDocument("late", "d2", chunks("late", "d2", 1, 1));
        writer.commit();
        assertThat(visibleChunkIds(reader, "late", "d2")).hasSize(1);
    }

    @Test
    void concurrentSearchesDuringCommitsSeeWholeDocumentVersions() throws Exception {
        VectorStore writer = openStore();
        VectorStore reader = openReader();
        writer.replaceDocument(COLLECTION, "d1", chunks(COLLECTION, "d1", 1, 2));
        writer.commit();
        AtomicBoolean done = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Integer>> searchers = new ArrayList<>();
            for (VectorStore store : List.of(writer, reader)) {
                searchers.add(pool.submit(() -> {
                    int searches = 0;
                    while (!done.get() || searches == 0) {
                        List<ScoredChunk> hits = store.searchDense(axis(0), 10, SearchFilter.collection(COLLECTION));
                        Set<Long> versions = new HashSet<>();
                        hits.forEach(h -> versions.add(h.chunk().version()));
                        // A document's chunks change atomically: one version, with that version's chunk count.
                        assertThat(versions).hasSize(1);
                        long version = versions.iterator().next();
                        assertThat(hits).hasSize(version % 2 == 1 ? 2 : 3);
                        searches++;
                    }
                    return searches;
                }));
            }
            for (long version = 2; version <= 30; version++) {
                writer.replaceDocument(COLLECTION, "d1", chunks(COLLECTION, "d1", version, version % 2 == 1 ? 2 : 3));
                writer.commit();
            }
            done.set(true);
            for (Future<Integer> searcher : searchers) {
                assertThat(searcher.get(60, TimeUnit.SECONDS)).isPositive();
            }
        } finally {
            done.set(true);
            pool.shutdownNow();
            assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(visibleChunkIds(reader, COLLECTION, "d1")).as("version 30").hasSize(3);
    }

    @Test
    void decodedChunksAreReusedAcrossSearchesAndNeverOutliveTheirVersion() {
        SearchFilter filter = SearchFilter.collection(COLLECTION);
        try (LuceneShardStore writer = writer(2);
             LuceneShardStore reader = (LuceneShardStore) createReader()) {
            writer.replaceDocument(COLLECTION, "d1", chunks(COLLECTION, "d1", 1, 3));
            writer.replaceDocument(COLLECTION, "d2", chunks(COLLECTION, "d2", 1, 2));
            writer.commit();

            List<ScoredChunk> first = reader.searchKeyword("kafka", 10, filter);
            assertThat(first).hasSize(5);
            long decoded = reader.chunkCache().misses();
            assertThat(reader.searchKeyword("kafka", 10, filter)).isEqualTo(first);
            assertThat(reader.searchDense(axis(0), 10, filter)).hasSize(5);
            assertThat(reader.chunkCache().misses()).as("nothing decoded twice").isEqualTo(decoded);
            assertThat(reader.chunkCache().hits()).isEqualTo(10);

            // v2 lands in a new segment whose document numbers restart at 0: only the segment in the key keeps
            // the old version's chunks from being served for them
            writer.replaceDocument(COLLECTION, "d1", chunks(COLLECTION, "d1", 2, 3));
            writer.deleteDocument(COLLECTION, "d2");
            writer.commit();
            for (List<ScoredChunk> hits : List.of(reader.searchKeyword("kafka", 10, filter),
                    reader.searchDense(axis(0), 10, filter))) {
                assertThat(hitIds(hits)).containsExactlyInAnyOrderElementsOf(ids(chunks(COLLECTION, "d1", 2, 3)));
                assertThat(hits).allSatisfy(h -> assertThat(h.chunk().version()).isEqualTo(2));
            }
        }
    }

    @Test
    void theChunkCacheCanBeDisabled() {
        try (LuceneShardStore writer = LuceneShardStore.builder().dataDir(dataDir).dimension(DIMENSION)
                .chunkCacheBytes(0).build()) {
            writer.replaceDocument(COLLECTION, "d1", chunks(COLLECTION, "d1", 1, 2));
            writer.commit();
            assertThat(writer.searchKeyword("kafka", 10, SearchFilter.collection(COLLECTION))).hasSize(2);
            assertThat(writer.searchKeyword("kafka", 10, SearchFilter.collection(COLLECTION))).hasSize(2);
            assertThat(writer.chunkCache().hits()).isZero();
        }
        assertThatThrownBy(() -> LuceneShardStore.builder().chunkCacheBytes(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("chunkCacheBytes");
    }

    @Test
    void aReadOnlyInstanceRejectsWritesAndTakesNoLock() {
        VectorStore reader = openReader();
        assertThatThrownBy(() -> reader.replaceDocument(COLLECTION, "d1", chunks(COLLECTION, "d1", 1, 1)))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> reader.deleteDocument(COLLECTION, "d1"))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(reader::commit).isInstanceOf(UnsupportedOperationException.class);
        // A second reader and a writer can open next to it.
        VectorStore otherReader = openReader();
        VectorStore writer = openStore();
        writer.replaceDocument(COLLECTION, "d1", chunks(COLLECTION, "d1", 1, 1));
        writer.commit();
        assertThat(visibleChunkIds(otherReader, COLLECTION, "d1")).hasSize(1);
    }

    @Test
    void aSecondWriterOnTheSameDirectoryIsRefused() {
        openStore();
        assertThatThrownBy(() -> writer(2))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("another writer")
                .hasMessageContaining(dataDir.toString());
    }

    @Test
    void routingIsStable() {
        // Pinned: these values are part of the on-disk format. If this fails, existing indexes break.
        ShardRouter four = new ShardRouter(4);
        assertThat(List.of("doc-1", "doc-2", "doc-42", "readme.md", "ünïcödé").stream().map(four::shardFor))
                .containsExactly(2, 3, 3, 0, 0);
        assertThat(new ShardRouter(2).shardFor("doc-1")).isEqualTo(0);
        assertThat(new ShardRouter(2).shardFor("doc-2")).isEqualTo(1);
        assertThatThrownBy(() -> new ShardRouter(0)).hasMessageContaining("got 0");

        // Spread: forty documents reach all four shards.
        Set<Integer> used = new HashSet<>();
        IntStream.range(0, 40).forEach(i -> used.add(four.shardFor("doc-" + i)));
        assertThat(used).containsExactlyInAnyOrder(0, 1, 2, 3);
    }

    @Test
    void eachDocumentLivesInTheShardItRoutesTo() throws IOException {
        try (LuceneShardStore store = writer(4)) {
            for (int i = 0; i < 12; i++) {
                store.replaceDocument(COLLECTION, "doc-" + i, chunks(COLLECTION, "doc-" + i, 1, 2));
            }
            store.commit();
        }
        ShardRouter router = new ShardRouter(4);
        int total = 0;
        for (int shard = 0; shard < 4; shard++) {
            Path shardDir = dataDir.resolve(COLLECTION).resolve("shard-" + shard);
            try (Directory dir = FSDirectory.open(shardDir); DirectoryReader reader = DirectoryReader.open(dir)) {
                StoredFields stored = reader.storedFields();
                for (int doc = 0; doc < reader.maxDoc(); doc++) {
                    String docId = stored.document(doc).get(ChunkDocuments.DOC_ID);
                    assertThat(router.shardFor(docId)).as("shard of %s", docId).isEqualTo(shard);
                    total++;
                }
            }
        }
        assertThat(total).isEqualTo(24);
    }

    @Test
    void theRecordedShardCountWinsOverALaterSetting() throws IOException {
        List<IndexedChunk> v1 = chunks(COLLECTION, "doc-1", 1, 2);
        try (LuceneShardStore store = writer(2)) {
            store.replaceDocument(COLLECTION, "doc-1", v1);
            store.commit();
        }
        try (LuceneShardStore store = writer(5)) {
            // With 5 shards doc-1 would route elsewhere; the recorded 2 keeps it where its old chunks are.
            WriteResult v2 = store.replaceDocument(COLLECTION, "doc-1", chunks(COLLECTION, "doc-1", 2, 1));
            store.commit();
            assertThat(v2.removedChunkIds()).containsExactlyInAnyOrderElementsOf(ids(v1));
            assertThat(visibleChunkIds(store, COLLECTION, "doc-1")).hasSize(1);
            // A collection created now uses the new setting.
            store.replaceDocument("fresh", "doc-1", chunks("fresh", "doc-1", 1, 1));
            store.commit();
        }
        assertThat(CollectionSettings.read(dataDir.resolve(COLLECTION)).orElseThrow().shards()).isEqualTo(2);
        assertThat(CollectionSettings.read(dataDir.resolve("fresh")).orElseThrow().shards()).isEqualTo(5);
        assertThat(Files.isDirectory(dataDir.resolve(COLLECTION).resolve("shard-2"))).isFalse();
    }

    @Test
    void badCollectionNamesAreRejectedNamingTheValue() {
        VectorStore store = openStore();
        for (String bad : List.of("", "../escape", "a/b", "_private", ".hidden", "has space", "x".repeat(65))) {
            String named = bad.isEmpty() ? "collection is missing" : "'" + bad + "'";
            assertThatThrownBy(() -> store.replaceDocument(bad, "d1", List.of()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(named);
            assertThatThrownBy(() -> store.searchKeyword("kafka", 5, SearchFilter.collection(bad)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(named);
            assertThatThrownBy(() -> store.searchDense(axis(0), 5, SearchFilter.collection(bad)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(named);
        }
        store.replaceDocument("Good_name-1.v2", "d1", chunks("Good_name-1.v2", "d1", 1, 1));
        assertThat(Files.exists(dataDir.resolve("..").resolve("escape"))).isFalse();
    }

    @Test
    void queryTextWithLuceneSyntaxCharactersIsSearchedAsText() {
        VectorStore store = openStore();
        store.replaceDocument(COLLECTION, "d1", List.of(chunk("d1", 1, 0,
                "How does Kafka AND Flink handle exactly-once delivery?", axis(0))));
        store.commit();
        SearchFilter filter = SearchFilter.collection(COLLECTION);
        List<String> questions = List.of(
                "How does kafka handle \"exactly-once\" delivery?",
                "kafka AND flink OR NOT title:delivery",
                "(kafka [flink} ~2 ^3 * ? \\ / ! { } : && ||",
                "\"unbalanced quote kafka",
                "kafka:",
                "kafka title:flink");
        for (String question : questions) {
            assertThat(docIdsOf(store.searchKeyword(question, 5, filter))).as(question).containsExactly("d1");
        }
        assertThat(store.searchKeyword("AND", 5, filter)).as("'and' is a stop word, not an operator").isEmpty();
        assertThat(store.searchKeyword("?!:\"()", 5, filter)).isEmpty();
        assertThat(store.searchKeyword("", 5, filter)).isEmpty();
        assertThat(store.searchKeyword("the of and", 5, filter)).as("only stop words").isEmpty();
    }

    @Test
    void vectorsOfTheWrongShapeAreRejected() {
        VectorStore store = openStore();
        assertThatThrownBy(() -> store.replaceDocument(COLLECTION, "d1",
                List.of(chunk("d1", 1, 0, "text", new float[DIMENSION + 1]))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("9 dimensions");
        assertThatThrownBy(() -> store.replaceDocument(COLLECTION, "d1",
                List.of(chunk("d1", 1, 0, "text", new float[DIMENSION]))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("zeros");
        store.replaceDocument(COLLECTION, "d1", List.of(chunk("d1", 1, 0, "text", axis(1))));
        store.commit();
        assertThatThrownBy(() -> store.searchDense(new float[3], 5, SearchFilter.collection(COLLECTION)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3 dimensions");
    }

    @Test
    void vectorsNeedNotBeUnitLength() {
        VectorStore store = openStore();
        float[] longVector = axis(3);
        longVector[3] = 42f;
        store.replaceDocument(COLLECTION, "d1", List.of(chunk("d1", 1, 0, "text", longVector)));
        store.replaceDocument(COLLECTION, "d2", List.of(chunk("d2", 1, 0, "text", tilted(3, 4, 1f))));
        store.commit();
        float[] shortQuery = axis(3);
        shortQuery[3] = 0.01f;
        List<ScoredChunk> hits = store.searchDense(shortQuery, 2, SearchFilter.collection(COLLECTION));
        assertThat(docIdsOf(hits)).containsExactly("d1", "d2");
        assertThat(hits.get(0).score()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
    }

    @Test
    void chunksMustBelongToTheDocumentWritten() {
        VectorStore store = openStore();
        assertThatThrownBy(() -> store.replaceDocument(COLLECTION, "d1", chunks(COLLECTION, "d2", 1, 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("d2").hasMessageContaining("d1");
        IndexedChunk one = chunk("d1", 1, 0, "text", axis(0));
        assertThatThrownBy(() -> store.replaceDocument(COLLECTION, "d1", List.of(one, one)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("duplicate");
    }

    @Test
    void aPerCollectionShardCountIsUsedWhenTheCollectionIsCreated() {
        try (LuceneShardStore store = LuceneShardStore.builder().dataDir(dataDir).dimension(DIMENSION)
                .shardsPerCollection(2).shardsPerCollection(Map.of("big", 5)).build()) {
            store.replaceDocument("big", "d1", chunks("big", "d1", 1, 1));
            store.replaceDocument("small", "d1", chunks("small", "d1", 1, 1));
            store.commit();
            assertThat(store.recordedSettings("big").orElseThrow().shards()).isEqualTo(5);
            assertThat(store.recordedSettings("small").orElseThrow().shards()).isEqualTo(2);
        }
        assertThat(Files.isDirectory(dataDir.resolve("big").resolve("shard-4"))).isTrue();
        assertThat(Files.isDirectory(dataDir.resolve("small").resolve("shard-2"))).isFalse();
    }

    @Test
    void recordedSettingsWinOverALaterPerCollectionOverride() {
        List<IndexedChunk> v1 = chunks("big", "doc-1", 1, 2);
        try (LuceneShardStore store = writer(2)) {
            store.replaceDocument("big", "doc-1", v1);
            store.commit();
        }
        try (LuceneShardStore store = LuceneShardStore.builder().dataDir(dataDir).dimension(DIMENSION)
                .shardsPerCollection(Map.of("big", 7)).embeddingModelId("other-model").chunking(64, 8).build()) {
            WriteResult v2 = store.replaceDocument("big", "doc-1", chunks("big", "doc-1", 2, 1));
            store.commit();
            assertThat(v2.removedChunkIds()).containsExactlyInAnyOrderElementsOf(ids(v1));
            assertThat(store.recordedSettings("big")).contains(new CollectionProfile(2, DIMENSION,
                    Optional.empty(), Optional.empty()));
        }
        assertThat(Files.isDirectory(dataDir.resolve("big").resolve("shard-2"))).isFalse();
    }

    @Test
    void theModelAndChunkingAreRecordedAndReadableByReaders() {
        try (LuceneShardStore store = LuceneShardStore.builder().dataDir(dataDir).dimension(DIMENSION)
                .embeddingModelId("model-a").chunking(256, 32).build()) {
            assertThat(store.recordedSettings(COLLECTION)).isEmpty();
            store.replaceDocument(COLLECTION, "d1", chunks(COLLECTION, "d1", 1, 1));
            store.commit();
        }
        CollectionProfile expected = new CollectionProfile(2, DIMENSION, Optional.of("model-a"),
                Optional.of(new CollectionProfile.Chunking(256, 32)));
        try (LuceneShardStore reader = LuceneShardStore.builder().dataDir(dataDir).dimension(DIMENSION)
                .readOnly(true).build()) {
            assertThat(reader.recordedSettings(COLLECTION)).contains(expected);
            assertThat(reader.recordedSettings("absent")).isEmpty();
        }
        // a later writer with other values does not overwrite them
        try (LuceneShardStore store = LuceneShardStore.builder().dataDir(dataDir).dimension(DIMENSION)
                .embeddingModelId("model-b").chunking(128, 0).build()) {
            store.replaceDocument(COLLECTION, "d2", chunks(COLLECTION, "d2", 1, 1));
            store.commit();
            assertThat(store.recordedSettings(COLLECTION)).contains(expected);
        }
    }

    @Test
    void theSettingOptionsNameTheBadValue() {
        assertThatThrownBy(() -> LuceneShardStore.builder().shardsPerCollection(Map.of("docs", 0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("shardsPerCollection of collection 'docs' must be > 0, got 0");
        assertThatThrownBy(() -> LuceneShardStore.builder().shardsPerCollection(Map.of("bad/name", 2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'bad/name'");
        assertThatThrownBy(() -> LuceneShardStore.builder().chunking(16, 16))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 16");
        assertThatThrownBy(() -> LuceneShardStore.builder().embeddingModelId(" "))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("embeddingModelId");
    }

    @Test
    void theBuilderValidatesEachOption() {
        assertThatThrownBy(() -> LuceneShardStore.builder().shardsPerCollection(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("shardsPerCollection must be > 0, got 0");
        assertThatThrownBy(() -> LuceneShardStore.builder().dimension(-3))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got -3");
        assertThatThrownBy(() -> LuceneShardStore.builder().dimension(8).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("dataDir");
        assertThatThrownBy(() -> LuceneShardStore.builder().dataDir(dataDir).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("dimension");
    }

    @Test
    void aClosedStoreRefusesWorkAndClosingTwiceIsHarmless() {
        LuceneShardStore store = writer(2);
        store.close();
        store.close();
        assertThatThrownBy(() -> store.searchKeyword("kafka", 5, SearchFilter.collection(COLLECTION)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        // The lock is released: a new writer can open.
        writer(2).close();
    }

    @Test
    void metadataRoundTrips() {
        VectorStore store = openStore();
        store.replaceDocument(COLLECTION, "d1", List.of(chunk(COLLECTION, "d1", 1, 0, "text", axis(0),
                Map.of("a", "1", "path", "docs/x.md", "empty", ""))));
        store.commit();
        assertThat(store.searchDense(axis(0), 1, new SearchFilter(COLLECTION, Map.of("path", "docs/x.md"))))
                .singleElement().satisfies(h -> assertThat(h.chunk().metadata())
                        .isEqualTo(Map.of("a", "1", "path", "docs/x.md", "empty", "")));
    }

    private static List<String> docIdsOf(List<ScoredChunk> hits) {
        return hits.stream().map(h -> h.chunk().docId()).toList();
    }
}
