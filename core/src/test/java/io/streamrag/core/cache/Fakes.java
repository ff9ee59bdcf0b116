package io.streamrag.core.cache;

import io.streamrag.core.chunk.Chunk;
import io.streamrag.core.embed.Embedder;
import io.streamrag.core.embed.TokenCounter;
import io.streamrag.core.generate.Answer;
import io.streamrag.core.generate.Citation;
import io.streamrag.core.query.Query;
import io.streamrag.core.query.QueryEngine;
import io.streamrag.core.query.QueryResult;
import io.streamrag.core.store.IndexedChunk;
import io.streamrag.core.store.ScoredChunk;
import io.streamrag.core.store.SearchFilter;
import io.streamrag.core.store.VectorStore;
import io.streamrag.core.store.WriteResult;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Small, counting stand-ins for the SPIs, so that a test can see which calls a cache saved. */
final class Fakes {
    private Fakes() {
    }

    static final class CountingEmbedder implements Embedder {
        final AtomicInteger queries = new AtomicInteger();
        private final String modelId;

        CountingEmbedder(String modelId) {
            this.modelId = modelId;
        }

        @Override
        public List<float[]> embedPassages(List<String> texts) {
            return texts.stream().map(CountingEmbedder::vector).toList();
        }

        @Override
        public float[] embedQuery(String text) {
            queries.incrementAndGet();
            return vector(text);
        }

        static float[] vector(String text) {
            float[] v = new float[8];
            for (int i = 0; i < v.length; i++) {
                v[i] = ((text.hashCode() >>> i) & 7) + 1;
            }
            double norm = 0;
            for (float x : v) {
                norm += x * x;
            }
            for (int i = 0; i < v.length; i++) {
                v[i] /= (float) Math.sqrt(norm);
            }
            return v;
        }

        @Override
        public int dimension() {
            return 8;
        }

        @Override
        public String modelId() {
            return modelId;
        }

        @Override
        public TokenCounter tokenCounter() {
            return text -> text.split("\\s+").length;
        }

        @Override
        public void close() {
        }
    }

    /** Documents as (docId → text of the current version); every search returns all documents of the collection. */
    static final class MapStore implements VectorStore {
        final Map<String, Chunk> chunks = new ConcurrentHashMap<>();
        final AtomicInteger searches = new AtomicInteger();

        void put(String collection, String docId, long version, String text) {
            put(collection, docId, version, text, Map.of());
        }

        void put(String collection, String docId, long version, String text, Map<String, String> metadata) {
            chunks.put(collection + "/" + docId, new Chunk(collection + "/" + docId + "#0@" + version, collection,
                    docId, version, 0, "", text, metadata));
        }

        void remove(String collection, String docId) {
            chunks.remove(collection + "/" + docId);
        }

        @Override
        public List<ScoredChunk> searchDense(float[] queryVector, int k, SearchFilter filter) {
            return search(k, filter);
        }

        @Override
        public List<ScoredChunk> searchKeyword(String queryText, int k, SearchFilter filter) {
            return search(k, filter);
        }

        private List<ScoredChunk> search(int k, SearchFilter filter) {
            searches.incrementAndGet();
            return chunks.values().stream()
                    .filter(c -> c.collection().equals(filter.collection()))
                    .filter(c -> c.metadata().entrySet().containsAll(filter.metadata().entrySet()))
                    .sorted(Comparator.comparing(Chunk::docId))
                    .limit(k)
                    .map(c -> new ScoredChunk(c, 1.0 / (1 + c.docId().length())))
                    .toList();
        }

        @Override
        public WriteResult replaceDocument(String collection, String docId, List<IndexedChunk> chunks) {
            throw new UnsupportedOperationException();
        }

        @Override
        public WriteResult deleteDocument(String collection, String docId) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long commit() {
            return 0;
        }

        @Override
        public void close() {
        }
    }

    /** Embeds, searches dense and keyword, cites every hit; the answer text joins the cited texts. */
    static final class SimpleEngine implements QueryEngine {
        final AtomicInteger answers = new AtomicInteger();
        volatile String mode = "normal";
        volatile Runnable duringAnswer = () -> { };
        private final Embedder embedder;
        private final VectorStore store;

        SimpleEngine(Embedder embedder, VectorStore store) {
            this.embedder = embedder;
            this.store = store;
        }

        @Override
        public QueryResult answer(Query query) {
            answers.incrementAndGet();
            float[] vector = embedder.embedQuery(query.text());
            SearchFilter filter = new SearchFilter(query.collection(), query.filters());
            List<ScoredChunk> hits = new ArrayList<>(store.searchDense(vector, 10, filter));
            store.searchKeyword(query.text(), 10, filter);
            duringAnswer.run();
            List<Citation> citations = new ArrayList<>();
            StringBuilder text = new StringBuilder();
            for (ScoredChunk hit : hits.subList(0, Math.min(query.topK(), hits.size()))) {
                citations.add(new Citation(citations.size() + 1, hit.chunk().docId(), hit.chunk().chunkId(),
                        hit.score(), hit.chunk().text()));
                text.append(hit.chunk().text()).append(" [").append(citations.size()).append("] ");
            }
            return new QueryResult(new Answer(text.toString().trim(), citations), mode,
                    Map.of("embed", 1L, "retrieve", 2L, "rerank", 0L, "generate", 3L, "total", 6L));
        }
    }
}
