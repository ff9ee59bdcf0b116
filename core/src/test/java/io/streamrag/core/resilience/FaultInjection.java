package io.streamrag.core.resilience;

import io.streamrag.core.embed.Embedder;
import io.streamrag.core.embed.EmbeddingException;
import io.streamrag.core.embed.ForwardingEmbedder;
import io.streamrag.core.generate.Answer;
import io.streamrag.core.generate.Generator;
import io.streamrag.core.rerank.RerankException;
import io.streamrag.core.rerank.Reranker;
import io.streamrag.core.store.ForwardingVectorStore;
import io.streamrag.core.store.ScoredChunk;
import io.streamrag.core.store.SearchFilter;
import io.streamrag.core.store.VectorStore;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Decorators around real components that fail on demand: each has a switch a test turns on and off, and counts
 * the calls that reached it (to show that an open breaker stops calling). Thread-safe.
 */
final class FaultInjection {
    private FaultInjection() {
    }

    /** A fault that is on or off, and the calls that reached the faulty component. */
    static final class Fault {
        private final AtomicBoolean on = new AtomicBoolean();
        private final AtomicInteger calls = new AtomicInteger();

        void on() {
            on.set(true);
        }

        void off() {
            on.set(false);
        }

        /** Counts a call; true when it must fail. */
        boolean hit() {
            calls.incrementAndGet();
            return on.get();
        }

        int calls() {
            return calls.get();
        }
    }

    static final class FaultyEmbedder extends ForwardingEmbedder {
        final Fault down = new Fault();

        FaultyEmbedder(Embedder delegate) {
            super(delegate);
        }

        @Override
        public List<float[]> embedPassages(List<String> texts) {
            if (down.hit()) {
                throw new EmbeddingException("injected fault: embedder down");
            }
            return delegate().embedPassages(texts);
        }

        @Override
        public float[] embedQuery(String text) {
            if (down.hit()) {
                throw new EmbeddingException("injected fault: embedder down");
            }
            return delegate().embedQuery(text);
        }
    }

    /** Searches fail on demand (dense and keyword separately); writes pass through. */
    static final class FaultyStore extends ForwardingVectorStore {
        final Fault denseDown = new Fault();
        final Fault keywordDown = new Fault();

        FaultyStore(VectorStore delegate) {
            super(delegate);
        }

        @Override
        public List<ScoredChunk> searchDense(float[] queryVector, int k, SearchFilter filter) {
            if (denseDown.hit()) {
                throw new IllegalStateException("injected fault: vector index unavailable");
            }
            return delegate().searchDense(queryVector, k, filter);
        }

        @Override
        public List<ScoredChunk> searchKeyword(String queryText, int k, SearchFilter filter) {
            if (keywordDown.hit()) {
                throw new IllegalStateException("injected fault: BM25 index unavailable");
            }
            return delegate().searchKeyword(queryText, k, filter);
        }
    }

    /** While {@link #hangs} is on, a call blocks until {@link #release()} or until its thread is interrupted. */
    static final class HangingReranker implements Reranker {
        final Fault hangs = new Fault();
        private final Reranker delegate;
        private final CountDownLatch released = new CountDownLatch(1);

        HangingReranker(Reranker delegate) {
            this.delegate = delegate;
        }

        @Override
        public List<ScoredChunk> rerank(String query, List<ScoredChunk> candidates, int topK) {
            if (hangs.hit()) {
                try {
                    released.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new RerankException("injected fault: interrupted while hanging", e);
                }
                throw new RerankException("injected fault: released after hanging");
            }
            return delegate.rerank(query, candidates, topK);
        }

        /** Lets every hanging call return (with an exception); later calls are not affected. */
        void release() {
            released.countDown();
        }
    }

    static final class FaultyGenerator implements Generator {
        final Fault down = new Fault();
        private final Generator delegate;

        FaultyGenerator(Generator delegate) {
            this.delegate = delegate;
        }

        @Override
        public Answer generate(String question, List<ScoredChunk> context) {
            if (down.hit()) {
                throw new IllegalStateException("injected fault: LLM returned 503");
            }
            return delegate.generate(question, context);
        }
    }

    /** A reranker that keeps the retrieval order, scoring 1/rank: enough to tell whether the rerank stage ran. */
    static final class OrderKeepingReranker implements Reranker {
        @Override
        public List<ScoredChunk> rerank(String query, List<ScoredChunk> candidates, int topK) {
            List<ScoredChunk> out = new java.util.ArrayList<>();
            for (int i = 0; i < Math.min(topK, candidates.size()); i++) {
                out.add(new ScoredChunk(candidates.get(i).chunk(), 1.0 / (i + 1)));
            }
            return out;
        }
    }
}
