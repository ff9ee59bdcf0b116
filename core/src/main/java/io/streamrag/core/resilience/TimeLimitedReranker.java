package io.streamrag.core.resilience;

import io.github.resilience4j.timelimiter.TimeLimiter;
import io.github.resilience4j.timelimiter.TimeLimiterConfig;
import io.streamrag.core.rerank.RerankException;
import io.streamrag.core.rerank.Reranker;
import io.streamrag.core.store.ScoredChunk;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link Reranker} that gives up after a time limit: each call runs on a small bounded pool of worker threads
 * and the caller waits at most {@code timeout} for it (a resilience4j {@link TimeLimiter}); a late call fails with
 * {@link RerankException} and its worker is interrupted.
 *
 * <p>Why a bounded pool rather than only a timeout inside each reranker: an ONNX Runtime run cannot be
 * interrupted, so a hung or overloaded model keeps its worker busy after the caller gave up. The pool has at most
 * {@code maxConcurrentCalls} workers and no queue, so hung calls pin a bounded number of threads, and once all
 * workers are busy further calls fail at once ("busy") instead of piling up; the circuit breaker around this
 * reranker counts both as failures and opens, and the engine answers in {@code no_rerank} without waiting.
 *
 * <p>Thread-safe. Owns its worker threads (daemon threads): {@link #close()} stops them; it does not close the
 * delegate.
 */
public final class TimeLimitedReranker implements Reranker, AutoCloseable {
    private final Reranker delegate;
    private final Duration timeout;
    private final TimeLimiter limiter;
    private final ThreadPoolExecutor workers;

    /**
     * @param timeout            the longest a caller waits for one rerank call, > 0
     * @param maxConcurrentCalls the most calls running at once (worker threads), > 0
     */
    public TimeLimitedReranker(Reranker delegate, Duration timeout, int maxConcurrentCalls) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isZero() || timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must be > 0, got " + timeout);
        }
        if (maxConcurrentCalls <= 0) {
            throw new IllegalArgumentException("maxConcurrentCalls must be > 0, got " + maxConcurrentCalls);
        }
        this.timeout = timeout;
        this.limiter = TimeLimiter.of(Dependency.RERANKER.breakerName(), TimeLimiterConfig.custom()
                .timeoutDuration(timeout)
                .cancelRunningFuture(true)
                .build());
        this.workers = new ThreadPoolExecutor(0, maxConcurrentCalls, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
                new DaemonThreads("streamrag-rerank-"));
    }

    @Override
    public List<ScoredChunk> rerank(String query, List<ScoredChunk> candidates, int topK) {
        try {
            return limiter.executeFutureSupplier(() -> workers.submit(() -> delegate.rerank(query, candidates, topK)));
        } catch (TimeoutException e) {
            throw new RerankException("reranker " + delegate + " did not answer within " + timeout.toMillis()
                    + " ms for " + candidates.size() + " candidates", e);
        } catch (RejectedExecutionException e) {
            throw new RerankException("reranker " + delegate + " is busy: all " + workers.getMaximumPoolSize()
                    + " workers are still running earlier calls (hung or overloaded)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RerankException("interrupted while waiting for reranker " + delegate, e);
        } catch (RerankException | IllegalArgumentException e) {
            throw e;
        } catch (Exception e) {
            throw new RerankException("reranker " + delegate + " failed: " + e, e);
        }
    }

    /** The time limit of one call. */
    public Duration timeout() {
        return timeout;
    }

    /** The time limiter, for metrics export. */
    public TimeLimiter timeLimiter() {
        return limiter;
    }

    /** Interrupts running calls and stops the workers; later calls fail as busy. Idempotent. */
    @Override
    public void close() {
        workers.shutdownNow();
    }

    @Override
    public String toString() {
        return "TimeLimited[" + delegate + ", " + timeout.toMillis() + " ms]";
    }

    /** Names worker threads and keeps them from holding the JVM open. */
    private static final class DaemonThreads implements ThreadFactory {
        private final String prefix;
        private final AtomicInteger count = new AtomicInteger();

        DaemonThreads(String prefix) {
            this.prefix = prefix;
        }

        @Override
        public Thread newThread(Runnable task) {
            Thread thread = new Thread(task, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        }
    }
}
