package io.streamrag.core.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamrag.core.chunk.Chunk;
import io.streamrag.core.rerank.RerankException;
import io.streamrag.core.resilience.FaultInjection.HangingReranker;
import io.streamrag.core.resilience.FaultInjection.OrderKeepingReranker;
import io.streamrag.core.store.ScoredChunk;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class TimeLimitedRerankerTest {
    private static final List<ScoredChunk> CANDIDATES = List.of(
            new ScoredChunk(new Chunk("c/a#0@1", "c", "a", 1, 0, "", "alpha", Map.of()), 1),
            new ScoredChunk(new Chunk("c/b#0@1", "c", "b", 1, 0, "", "beta", Map.of()), 0.5));

    @Test
    void aPromptCallReturnsTheDelegatesResult() {
        try (TimeLimitedReranker limited =
                     new TimeLimitedReranker(new OrderKeepingReranker(), Duration.ofSeconds(30), 1)) {
            assertThat(limited.rerank("q", CANDIDATES, 1)).extracting(h -> h.chunk().docId()).containsExactly("a");
        }
    }

    @Test
    void aHangingCallTimesOutAndItsWorkerIsInterrupted() {
        HangingReranker hanging = new HangingReranker(new OrderKeepingReranker());
        hanging.hangs.on();
        try (TimeLimitedReranker limited = new TimeLimitedReranker(hanging, Duration.ofMillis(100), 1)) {
            assertThatThrownBy(() -> limited.rerank("q", CANDIDATES, 1))
                    .isInstanceOf(RerankException.class)
                    .hasMessageContaining("did not answer within 100 ms")
                    .hasCauseInstanceOf(TimeoutException.class);
            // The interrupted worker is free again: with one worker, a second call would otherwise be "busy".
            hanging.hangs.off();
            assertThat(awaitSuccess(limited)).isTrue();
        } finally {
            hanging.release();
        }
    }

    @Test
    void allWorkersBusyFailsAtOnce() {
        // A worker that ignores interrupts, as an ONNX Runtime run does: it stays busy after the timeout.
        CompletableFuture<Void> unblock = new CompletableFuture<>();
        try (TimeLimitedReranker limited = new TimeLimitedReranker((query, candidates, topK) -> {
            while (!unblock.isDone()) {
                Thread.onSpinWait();
            }
            return candidates;
        }, Duration.ofMillis(50), 1)) {
            assertThatThrownBy(() -> limited.rerank("q", CANDIDATES, 1)).hasMessageContaining("did not answer");
            assertThatThrownBy(() -> limited.rerank("q", CANDIDATES, 1))
                    .isInstanceOf(RerankException.class)
                    .hasMessageContaining("is busy: all 1 workers are still running earlier calls");
        } finally {
            unblock.complete(null);
        }
    }

    @Test
    void delegateFailuresBecomeRerankExceptions() {
        try (TimeLimitedReranker limited = new TimeLimitedReranker((q, c, k) -> {
            throw new IllegalStateException("model crashed");
        }, Duration.ofSeconds(30), 1)) {
            assertThatThrownBy(() -> limited.rerank("q", CANDIDATES, 1))
                    .isInstanceOf(RerankException.class)
                    .hasMessageContaining("model crashed");
        }
    }

    @Test
    void anInterruptedCallerKeepsItsFlag() {
        HangingReranker hanging = new HangingReranker(new OrderKeepingReranker());
        hanging.hangs.on();
        try (TimeLimitedReranker limited = new TimeLimitedReranker(hanging, Duration.ofSeconds(30), 1)) {
            Thread.currentThread().interrupt();
            assertThatThrownBy(() -> limited.rerank("q", CANDIDATES, 1))
                    .isInstanceOf(RerankException.class)
                    .hasMessageContaining("interrupted");
            assertThat(Thread.interrupted()).isTrue();
        } finally {
            hanging.release();
        }
    }

    @Test
    void settingsAreValidated() {
        assertThatThrownBy(() -> new TimeLimitedReranker(new OrderKeepingReranker(), Duration.ZERO, 1))
                .hasMessage("timeout must be > 0, got PT0S");
        assertThatThrownBy(() -> new TimeLimitedReranker(new OrderKeepingReranker(), Duration.ofSeconds(1), 0))
                .hasMessage("maxConcurrentCalls must be > 0, got 0");
    }

    /** Retries until a call succeeds (the worker pool frees the interrupted thread asynchronously). */
    private static boolean awaitSuccess(TimeLimitedReranker limited) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                limited.rerank("q", CANDIDATES, 1);
                return true;
            } catch (RerankException e) {
                Thread.onSpinWait();
            }
        }
        return false;
    }
}
