package io.streamrag.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamrag.core.embed.Embedder;
import io.streamrag.core.embed.EmbeddingException;
import io.streamrag.core.embed.TokenCounter;
import io.streamrag.ingest.RawDocument;
import io.streamrag.schemas.DocumentOp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;

class RetryingEmbedderTest {

    @Test
    void retriesAnEmbeddingFailureAndReturnsTheFirstSuccess() {
        ScriptedEmbedder delegate = new ScriptedEmbedder(2);
        try (Embedder embedder = new RetryingEmbedder(delegate, 3, 0)) {
            assertThat(embedder.embedPassages(List.of("a", "b"))).hasSize(2);
        }
        assertThat(delegate.calls).isEqualTo(3);
        assertThat(delegate.closed).isTrue();
    }

    @Test
    void givesUpAfterTheConfiguredAttemptsReportingThem() {
        ScriptedEmbedder delegate = new ScriptedEmbedder(Integer.MAX_VALUE);
        Embedder embedder = new RetryingEmbedder(delegate, 3, 1);

        assertThatThrownBy(() -> embedder.embedPassages(List.of("a")))
                .isInstanceOfSatisfying(EmbeddingRetriesExhaustedException.class,
                        e -> assertThat(e.attempts()).isEqualTo(3))
                .hasMessageContaining("failed 3 time(s)")
                .hasMessageContaining("model down");
        assertThat(delegate.calls).isEqualTo(3);
    }

    @Test
    void doesNotRetryOtherExceptions() {
        Embedder failing = new ScriptedEmbedder(0) {
            @Override
            public List<float[]> embedPassages(List<String> texts) {
                calls++;
                throw new IllegalStateException("a bug");
            }
        };
        Embedder embedder = new RetryingEmbedder(failing, 3, 0);

        assertThatThrownBy(() -> embedder.embedPassages(List.of("a"))).isInstanceOf(IllegalStateException.class);
        assertThat(((ScriptedEmbedder) failing).calls).isEqualTo(1);
    }

    @Test
    void anInterruptDuringTheBackoffCancelsWithoutAnEmbeddingExceptionAndKeepsTheFlag() {
        Embedder embedder = new RetryingEmbedder(new ScriptedEmbedder(Integer.MAX_VALUE), 3, 60_000);
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> embedder.embedPassages(List.of("a"))).isInstanceOf(CancellationException.class);
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void theDeadLetterOfAnExhaustedDocumentCarriesTheAttemptsAndTheOriginalRecord() {
        RawDocument raw = new RawDocument("rag.documents", 2, 17, "docs/a".getBytes(), new byte[] {1, 2, 3});
        DocumentChange change = new DocumentChange("docs", "a", 1, DocumentOp.UPSERT, "", "text", Map.of(),
                Instant.EPOCH, raw);
        EmbeddingException failure = new EmbeddingRetriesExhaustedException(4, new EmbeddingException("model down"));

        RejectedDocument rejected = RejectedDocument.embeddingFailed(change, failure);

        assertThat(rejected.raw()).isSameAs(raw);
        assertThat(rejected.stage()).isEqualTo(RejectedDocument.EMBED);
        assertThat(rejected.attempts()).isEqualTo(4);
        assertThat(rejected.reason()).contains("model down");
        assertThat(RejectedDocument.embeddingFailed(change, new EmbeddingException("once")).attempts()).isEqualTo(1);
    }

    /** Fails the first {@code failures} calls with an EmbeddingException, then returns unit vectors. */
    private static class ScriptedEmbedder implements Embedder {
        private final int failures;
        int calls;
        boolean closed;

        ScriptedEmbedder(int failures) {
            this.failures = failures;
        }

        @Override
        public List<float[]> embedPassages(List<String> texts) {
            if (calls++ < failures) {
                throw new EmbeddingException("model down");
            }
            return texts.stream().map(t -> new float[] {1f}).toList();
        }

        @Override
        public float[] embedQuery(String text) {
            return new float[] {1f};
        }

        @Override
        public int dimension() {
            return 1;
        }

        @Override
        public String modelId() {
            return "scripted";
        }

        @Override
        public TokenCounter tokenCounter() {
            return String::length;
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
