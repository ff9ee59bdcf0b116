package io.streamrag.core.rerank;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamrag.core.chunk.Chunk;
import io.streamrag.core.embed.Embedder;
import io.streamrag.core.embed.EmbeddingException;
import io.streamrag.core.embed.ForwardingEmbedder;
import io.streamrag.core.query.HashingEmbedder;
import io.streamrag.core.store.ScoredChunk;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SentenceMaxSimRerankerTest {
    private final CountingEmbedder embedder = new CountingEmbedder(new HashingEmbedder(512));

    private static ScoredChunk hit(String docId, String title, String text) {
        return new ScoredChunk(new Chunk("c/" + docId + "#0@1", "c", docId, 1, 0, title, text, Map.of()), 0.5);
    }

    /** Retrieval put the vague chunk first; one sentence of the second one says exactly what was asked. */
    private static final List<ScoredChunk> CANDIDATES = List.of(
            hit("vague", "", "Flink jobs run on clusters. State lives in backends. A restore takes time. "
                    + "Checkpoints are stored remotely."),
            hit("precise", "", "Kafka topics hold events. Brokers replicate partitions. "
                    + "Flink restores state from the latest checkpoint."),
            hit("other", "Redis", "Redis keeps cached responses in memory."));

    private static List<String> docIds(List<ScoredChunk> hits) {
        return hits.stream().map(h -> h.chunk().docId()).toList();
    }

    @Test
    void theChunkWithTheBestMatchingSentenceWins() {
        SentenceMaxSimReranker pure = SentenceMaxSimReranker.builder(embedder).retrievalWeight(0).build();
        List<ScoredChunk> out = pure.rerank("Flink restores state from the latest checkpoint", CANDIDATES, 2);
        assertThat(docIds(out)).containsExactly("precise", "vague");
        assertThat(out.get(0).score()).isGreaterThan(out.get(1).score());
    }

    @Test
    void theRetrievalWeightPullsTowardsTheRetrievalOrder() {
        String query = "Flink restores state from the latest checkpoint";
        assertThat(docIds(SentenceMaxSimReranker.builder(embedder).retrievalWeight(0.5).build()
                .rerank(query, CANDIDATES, 3))).containsExactly("precise", "vague", "other");
        // Equal weights and two swapped ranks tie; ties keep the retrieval order.
        assertThat(docIds(SentenceMaxSimReranker.create(embedder).rerank(query, CANDIDATES, 3)))
                .containsExactly("vague", "precise", "other");
    }

    @Test
    void titlesCountAsAUnit() {
        List<ScoredChunk> out = SentenceMaxSimReranker.builder(embedder).retrievalWeight(0).build()
                .rerank("redis", CANDIDATES, 1);
        assertThat(docIds(out)).containsExactly("other");
    }

    @Test
    void sentenceVectorsAreEmbeddedOnceInOneCallAndCached() {
        SentenceMaxSimReranker reranker = SentenceMaxSimReranker.create(embedder);
        reranker.rerank("flink checkpoint", CANDIDATES, 3);
        assertThat(embedder.passageCalls).hasValue(1);
        assertThat(embedder.passages).hasValue(4 + 3 + 2);
        reranker.rerank("kafka brokers", CANDIDATES, 3);
        assertThat(embedder.passageCalls).hasValue(1);

        SentenceMaxSimReranker uncached = SentenceMaxSimReranker.builder(embedder).cacheSize(0).build();
        uncached.rerank("flink checkpoint", CANDIDATES, 3);
        uncached.rerank("flink checkpoint", CANDIDATES, 3);
        assertThat(embedder.passageCalls).hasValue(3);
    }

    @Test
    void anEmbedderFailureIsARerankException() {
        embedder.down.set(true);
        assertThatThrownBy(() -> SentenceMaxSimReranker.create(embedder).rerank("q", CANDIDATES, 3))
                .isInstanceOf(RerankException.class)
                .hasMessageContaining("max-sim rerank")
                .hasCauseInstanceOf(EmbeddingException.class);
    }

    @Test
    void emptyInputAndBadSettings() {
        assertThat(SentenceMaxSimReranker.create(embedder).rerank("q", List.of(), 3)).isEmpty();
        assertThat(embedder.passageCalls).hasValue(0);
        assertThatThrownBy(() -> SentenceMaxSimReranker.builder(embedder).retrievalWeight(-1))
                .hasMessage("retrievalWeight must be a finite number >= 0, got -1.0");
        assertThatThrownBy(() -> SentenceMaxSimReranker.builder(embedder).maxSentences(0))
                .hasMessage("maxSentences must be > 0, got 0");
        assertThatThrownBy(() -> SentenceMaxSimReranker.create(embedder).rerank("q", CANDIDATES, 0))
                .hasMessage("topK must be > 0, got 0");
    }

    /** Counts passage calls and texts; fails on demand. */
    private static final class CountingEmbedder extends ForwardingEmbedder {
        final AtomicInteger passageCalls = new AtomicInteger();
        final AtomicInteger passages = new AtomicInteger();
        final AtomicBoolean down = new AtomicBoolean();

        CountingEmbedder(Embedder delegate) {
            super(delegate);
        }

        @Override
        public List<float[]> embedPassages(List<String> texts) {
            if (down.get()) {
                throw new EmbeddingException("injected fault");
            }
            passageCalls.incrementAndGet();
            passages.addAndGet(texts.size());
            return delegate().embedPassages(texts);
        }

        @Override
        public float[] embedQuery(String text) {
            if (down.get()) {
                throw new EmbeddingException("injected fault");
            }
            return delegate().embedQuery(text);
        }
    }
}
