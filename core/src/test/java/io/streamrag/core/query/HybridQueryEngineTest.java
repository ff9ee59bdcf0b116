package io.streamrag.core.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamrag.core.chunk.Chunk;
import io.streamrag.core.chunk.ChunkIds;
import io.streamrag.core.generate.Citation;
import io.streamrag.core.generate.ExtractiveGenerator;
import io.streamrag.core.rerank.Reranker;
import io.streamrag.core.search.RetrievalMode;
import io.streamrag.core.store.IndexedChunk;
import io.streamrag.core.store.LuceneShardStore;
import io.streamrag.core.store.ScoredChunk;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HybridQueryEngineTest {
    private static final String COLLECTION = "docs";

    @TempDir
    Path dataDir;

    private final HashingEmbedder embedder = new HashingEmbedder(256);
    private LuceneShardStore store;

    @BeforeEach
    void indexCorpus() {
        store = LuceneShardStore.builder().dataDir(dataDir).dimension(embedder.dimension()).build();
        write("kafka", 1, "Apache Kafka", "Kafka stores events in partitioned topics. "
                + "Each partition is an ordered, replicated log kept by brokers.", Map.of("team", "platform"));
        write("flink", 1, "Apache Flink", "Flink takes periodic checkpoints of operator state. "
                + "After a crash the job restarts from the latest checkpoint.", Map.of("team", "streaming"));
        write("lucene", 1, "Apache Lucene", "Lucene builds an inverted index for keyword search. "
                + "Vectors are indexed in HNSW graphs for nearest neighbour search.", Map.of("team", "search"));
        write("redis", 1, "Redis", "Redis keeps cached responses in memory with a time to live. "
                + "Evicted keys free memory for new entries.", Map.of("team", "platform"));
        write("rrf", 1, "Rank fusion", "Reciprocal rank fusion merges ranked lists by summing one over k plus rank.",
                Map.of("team", "search"));
        store.commit();
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    private void write(String docId, long version, String title, String text, Map<String, String> metadata) {
        Chunk chunk = new Chunk(ChunkIds.of(COLLECTION, docId, 0, version), COLLECTION, docId, version, 0, title,
                text, metadata);
        store.replaceDocument(COLLECTION, docId,
                List.of(new IndexedChunk(chunk, embedder.embedPassages(List.of(chunk.embeddingText())).get(0))));
    }

    private HybridQueryEngine engine(RetrievalMode mode) {
        return HybridQueryEngine.builder().embedder(embedder).store(store).retrievalMode(mode).build();
    }

    private static List<String> citedDocs(QueryResult result) {
        return result.answer().citations().stream().map(Citation::docId).toList();
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', value = {
            "HYBRID  | How does Flink recover after a crash?                | flink",
            "HYBRID  | Which graphs does Lucene use for nearest neighbour vectors? | lucene",
            "HYBRID  | Where are cached responses kept?                     | redis",
            "HYBRID  | How are partitions replicated?                       | kafka",
            "DENSE   | How does Flink recover after a crash?                | flink",
            "KEYWORD | Where are cached responses kept?                     | redis"})
    void citesTheDocumentThatAnswers(RetrievalMode mode, String question, String expectedDoc) {
        QueryResult result = engine(mode).answer(new Query(COLLECTION, question, Map.of(), 3));
        assertThat(citedDocs(result)).containsExactly(expectedDoc);
        assertThat(result.degradationMode()).isEqualTo("normal");
    }

    @Test
    void anUpdatedDocumentIsAnsweredFromItsNewText() {
        HybridQueryEngine engine = engine(RetrievalMode.HYBRID);
        Query question = new Query(COLLECTION, "How does the Flink job recover after a failure?", Map.of(), 3);
        assertThat(engine.answer(question).answer().text()).contains("checkpoint");

        write("flink", 2, "Apache Flink", "Flink snapshots operator state with aligned barriers. "
                + "After a failure the job resumes from the most recent savepoint.", Map.of("team", "streaming"));
        store.commit();

        QueryResult result = engine.answer(question);
        assertThat(result.answer().text()).contains("savepoint").doesNotContain("checkpoint");
        assertThat(result.answer().citations()).singleElement().satisfies(c -> {
            assertThat(c.docId()).isEqualTo("flink");
            assertThat(c.chunkId()).isEqualTo(ChunkIds.of(COLLECTION, "flink", 0, 2));
            assertThat(c.text()).doesNotContain("checkpoint");
        });
        assertThat(engine.retrieve(question)).extracting(h -> h.chunk().chunkId())
                .doesNotContain(ChunkIds.of(COLLECTION, "flink", 0, 1));
    }

    @Test
    void filtersAndTopKApplyToRetrieval() {
        HybridQueryEngine engine = engine(RetrievalMode.HYBRID);
        List<ScoredChunk> platform = engine.retrieve(
                new Query(COLLECTION, "Where are events and responses kept?", Map.of("team", "platform"), 5));
        assertThat(platform).extracting(h -> h.chunk().docId()).containsExactlyInAnyOrder("kafka", "redis");
        assertThat(engine.retrieve(new Query(COLLECTION, "search index", Map.of(), 2))).hasSize(2);
    }

    @Test
    void reportsEveryStageTiming() {
        QueryResult result = engine(RetrievalMode.HYBRID).answer(new Query(COLLECTION, "kafka topics", Map.of(), 3));
        assertThat(result.timingsMs()).containsOnlyKeys("embed", "retrieve", "rerank", "generate", "total");
        assertThat(result.timingsMs()).allSatisfy((stage, ms) -> assertThat(ms).isNotNegative());
        assertThat(result.timingsMs()).containsEntry("rerank", 0L);
    }

    @Test
    void anEmptyCollectionYieldsTheNoAnswerMessage() {
        QueryResult result = engine(RetrievalMode.HYBRID).answer(new Query("empty", "anything about kafka", Map.of(), 3));
        assertThat(result.answer().text()).isEqualTo(ExtractiveGenerator.NO_ANSWER);
        assertThat(result.answer().citations()).isEmpty();
    }

    @Test
    void keywordModeNeedsNoEmbedder() {
        HybridQueryEngine engine = HybridQueryEngine.builder().store(store).retrievalMode(RetrievalMode.KEYWORD).build();
        QueryResult result = engine.answer(new Query(COLLECTION, "What does reciprocal rank fusion merge?", Map.of(), 3));
        assertThat(citedDocs(result)).containsExactly("rrf");
    }

    @Test
    void theBuilderChecksRequiredParts() {
        assertThatThrownBy(() -> HybridQueryEngine.builder().embedder(embedder).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("store");
        assertThatThrownBy(() -> HybridQueryEngine.builder().store(store).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("embedder")
                .hasMessageContaining("HYBRID");
        assertThatThrownBy(() -> HybridQueryEngine.builder().candidates(0)).hasMessage("candidates must be > 0, got 0");
        assertThatThrownBy(() -> HybridQueryEngine.builder().rrfK(-1)).hasMessage("rrfK must be > 0, got -1");
    }

    @Test
    void aRerankerReordersTheRetrievedCandidates() {
        List<Integer> seen = new ArrayList<>();
        Reranker reversing = (query, candidates, topK) -> {
            seen.add(candidates.size());
            List<ScoredChunk> reversed = new ArrayList<>(candidates);
            Collections.reverse(reversed);
            return reversed.subList(0, Math.min(topK, reversed.size()));
        };
        Query question = new Query(COLLECTION, "search index vectors", Map.of(), 2);
        List<ScoredChunk> plain = engine(RetrievalMode.HYBRID)
                .retrieve(new Query(COLLECTION, question.text(), Map.of(), 5));
        try (HybridQueryEngine engine = HybridQueryEngine.builder().embedder(embedder).store(store)
                .reranker(reversing).rerankDepth(5).build()) {
            List<ScoredChunk> reranked = engine.retrieve(question);
            assertThat(seen).containsExactly(5);
            assertThat(reranked).extracting(h -> h.chunk().chunkId()).containsExactly(
                    plain.get(4).chunk().chunkId(), plain.get(3).chunk().chunkId());
            QueryResult result = engine.answer(question);
            assertThat(result.degradationMode()).isEqualTo("normal");
            assertThat(result.timingsMs()).containsKey("rerank");
        }
    }

    @Test
    void aRerankerThatInventsChunksIsIgnored() {
        Reranker inventing = (query, candidates, topK) -> List.of(new ScoredChunk(new Chunk(
                ChunkIds.of(COLLECTION, "ghost", 0, 1), COLLECTION, "ghost", 1, 0, "", "made up", Map.of()), 1));
        try (HybridQueryEngine engine = HybridQueryEngine.builder().embedder(embedder).store(store)
                .reranker(inventing).build()) {
            QueryResult result = engine.answer(
                    new Query(COLLECTION, "How does Flink recover after a crash?", Map.of(), 3));
            assertThat(result.degradationMode()).isEqualTo("no_rerank");
            assertThat(citedDocs(result)).containsExactly("flink");
            assertThatThrownBy(() -> engine.retrieve(new Query(COLLECTION, "flink", Map.of(), 3)))
                    .as("retrieve is strict").hasMessageContaining("not among its candidates");
        }
    }

    @Test
    void retrieveIsStrictWhereAnswerDegrades() {
        HybridQueryEngine engine = HybridQueryEngine.builder().embedder(embedder).store(store).build();
        store.close();
        Query question = new Query(COLLECTION, "kafka topics", Map.of(), 3);
        assertThatThrownBy(() -> engine.retrieve(question)).isInstanceOf(RuntimeException.class);
        QueryResult result = engine.answer(question);
        assertThat(result.degradationMode()).isEqualTo("error");
        assertThat(result.answer().text()).startsWith("The question could not be answered: all retrieval failed");
    }
}
