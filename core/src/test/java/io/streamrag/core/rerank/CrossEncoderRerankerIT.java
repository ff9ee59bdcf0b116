package io.streamrag.core.rerank;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.streamrag.core.chunk.Chunk;
import io.streamrag.core.embed.EmbeddingModel;
import io.streamrag.core.store.ScoredChunk;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link CrossEncoderReranker} on ONNX Runtime. Offline it runs a toy cross-encoder (see
 * {@code cross-encoder-toy/make_toy_cross_encoder.py}: its logit counts passage tokens that occur in the query)
 * with the bge tokenizer, which exercises the real path: pair tokenization, padding, batching, reading logits.
 * A real cross-encoder is tested only when {@code STREAMRAG_TEST_CROSS_ENCODER_DIR} names its directory.
 */
class CrossEncoderRerankerIT {
    static final String MODEL_DIR_ENV = "STREAMRAG_TEST_CROSS_ENCODER_DIR";

    @TempDir
    Path dir;

    private static ScoredChunk hit(String docId, String text) {
        return new ScoredChunk(new Chunk("c/" + docId + "#0@1", "c", docId, 1, 0, "", text, Map.of()), 0);
    }

    private static final List<ScoredChunk> CANDIDATES = List.of(
            hit("kafka", "Kafka keeps partitions on brokers."),
            hit("flink", "After a crash Flink restores operator state from the latest checkpoint."),
            hit("redis", "Redis keeps cached responses in memory."),
            hit("flink-jobs", "Flink runs streaming jobs."),
            hit("lucene", "Lucene builds an inverted index."));

    private Path toyModel() throws IOException {
        try (InputStream model = getClass().getResourceAsStream("/cross-encoder-toy/model.onnx");
             InputStream tokenizer = getClass().getClassLoader()
                     .getResourceAsStream(EmbeddingModel.BGE_SMALL_EN_V15_Q.tokenizerResource())) {
            assertThat(model).as("toy model resource").isNotNull();
            assertThat(tokenizer).as("bge tokenizer resource").isNotNull();
            Files.copy(model, dir.resolve(CrossEncoderReranker.MODEL_FILE));
            Files.copy(tokenizer, dir.resolve(CrossEncoderReranker.TOKENIZER_FILE));
        }
        return dir;
    }

    private static List<String> docIds(List<ScoredChunk> hits) {
        return hits.stream().map(h -> h.chunk().docId()).toList();
    }

    @Test
    void scoresPairsInBatchesAndReturnsTheBestTopK() throws IOException {
        Path model = toyModel();
        try (CrossEncoderReranker oneBatch = CrossEncoderReranker.builder(model).intraOpThreads(1).build();
             CrossEncoderReranker smallBatches = CrossEncoderReranker.builder(model).batchSize(2).intraOpThreads(1)
                     .build()) {
            String query = "How does Flink recover state after a crash?";
            List<ScoredChunk> best = oneBatch.rerank(query, CANDIDATES, 2);
            assertThat(docIds(best)).containsExactly("flink", "flink-jobs");
            assertThat(best.get(0).score()).isGreaterThan(best.get(1).score()).isLessThan(1.0);

            List<ScoredChunk> all = smallBatches.rerank(query, CANDIDATES, 10);
            assertThat(all).hasSize(5);
            assertThat(docIds(all).subList(0, 2)).containsExactly("flink", "flink-jobs");
            // Padding differs between batchings; the mask keeps it invisible, so the scores must agree.
            assertThat(all.get(0).score()).isEqualTo(best.get(0).score());
            assertThat(all.get(1).score()).isEqualTo(best.get(1).score());
        }
    }

    @Test
    void aClosedRerankerRefusesCalls() throws IOException {
        CrossEncoderReranker reranker = CrossEncoderReranker.builder(toyModel()).intraOpThreads(1).build();
        reranker.close();
        reranker.close();
        assertThatThrownBy(() -> reranker.rerank("q", CANDIDATES, 1))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is closed");
    }

    @Test
    void aBrokenModelFileSaysWhatToCheck() throws IOException {
        Path model = toyModel();
        Files.writeString(model.resolve(CrossEncoderReranker.MODEL_FILE), "not an onnx graph");
        assertThatThrownBy(() -> CrossEncoderReranker.builder(model).build())
                .isInstanceOf(RerankException.class)
                .hasMessageContaining("model.onnx into ONNX Runtime failed");
    }

    @Test
    void aRealCrossEncoderRanksTheAnsweringPassageFirst() {
        String configured = System.getenv(MODEL_DIR_ENV);
        assumeTrue(configured != null && !configured.isBlank(), MODEL_DIR_ENV + " is not set: skipping the real"
                + " cross-encoder test (point it at a directory with model.onnx and tokenizer.json, e.g. an ONNX export"
                + " of cross-encoder/ms-marco-MiniLM-L-6-v2)");
        try (CrossEncoderReranker reranker = CrossEncoderReranker.builder(Path.of(configured)).batchSize(2).build()) {
            List<ScoredChunk> best = reranker.rerank("How does Flink recover after a crash?", CANDIDATES, 3);
            assertThat(best.get(0).chunk().docId()).isEqualTo("flink");
            assertThat(best).allSatisfy(h -> assertThat(h.score()).isBetween(0.0, 1.0));
        }
    }
}
