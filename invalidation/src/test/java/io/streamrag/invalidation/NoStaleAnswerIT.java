package io.streamrag.invalidation;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamrag.core.cache.CacheLayer;
import io.streamrag.core.cache.InvalidationMode;
import io.streamrag.core.cache.RedisCacheSettings;
import io.streamrag.core.cache.RedisCaches;
import io.streamrag.core.cache.TestRedis;
import io.streamrag.core.chunk.Chunk;
import io.streamrag.core.chunk.ChunkIds;
import io.streamrag.core.generate.Answer;
import io.streamrag.core.generate.Citation;
import io.streamrag.core.query.Query;
import io.streamrag.core.query.QueryEngine;
import io.streamrag.core.query.QueryResult;
import io.streamrag.core.store.IndexedChunk;
import io.streamrag.core.store.LuceneShardStore;
import io.streamrag.core.store.ScoredChunk;
import io.streamrag.core.store.SearchFilter;
import io.streamrag.core.store.VectorStore;
import io.streamrag.core.store.WriteResult;
import io.streamrag.schemas.AvroCodec;
import io.streamrag.schemas.DocumentOp;
import io.streamrag.schemas.IndexChange;
import io.streamrag.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Invariant 3 with real parts: Lucene shards, a real redis-server, the invalidation topology (driven by
 * TopologyTestDriver, so "processed" is exact). Query threads ask while the test thread updates and deletes
 * documents whose every version has distinguishable text; once the IndexChange of version v was processed, no
 * response may cite an older version of that document.
 */
class NoStaleAnswerIT {
    private static final String C = "inv";
    private static final int DOCS = 6;
    private static final int UPDATES = 50;

    @TempDir
    Path dir;

    private TestRedis redis;
    private RedisCaches caches;
    private LuceneShardStore store;
    private TopologyTestDriver driver;

    @AfterEach
    void stop() {
        if (driver != null) {
            driver.close();
        }
        if (caches != null) {
            caches.close();
        }
        if (store != null) {
            store.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @ParameterizedTest
    @EnumSource(InvalidationMode.class)
    void onceAnIndexChangeIsProcessedNoResponseCitesAnOlderVersion(InvalidationMode mode) throws Exception {
        redis = new TestRedis(java.nio.file.Files.createDirectories(dir.resolve("redis")));
        caches = RedisCaches.connect(RedisCacheSettings.builder().url(redis.url()).invalidationMode(mode).build());
        store = LuceneShardStore.builder().dataDir(dir.resolve("index")).dimension(HashingEmbedder.DIMENSION).build();
        HashingEmbedder embedder = new HashingEmbedder();
        QueryEngine engine = caches.responseCache(
                new CitingEngine(caches.embeddingCache(embedder), caches.retrievalCache(store)));
        InvalidationSettings settings = InvalidationSettings.builder().bootstrapServers("unused:9092")
                .stateDir(dir.resolve("streams")).build();
        driver = new TopologyTestDriver(InvalidationTopology.build(settings, caches.invalidator()),
                settings.toStreamsProperties());
        TestInputTopic<byte[], byte[]> changes = driver.createInputTopic(Topics.INDEX_CHANGES.name(),
                new ByteArraySerializer(), new ByteArraySerializer());
        AvroCodec<IndexChange> codec = AvroCodec.of(IndexChange.class);

        // processed[d]: the newest version whose IndexChange invalidation has processed (a delete counts as one)
        AtomicLongArray processed = new AtomicLongArray(DOCS);
        long[] versions = new long[DOCS];
        for (int d = 0; d < DOCS; d++) {
            versions[d] = 1;
            write(d, 1, false);
        }
        store.commit();

        AtomicBoolean done = new AtomicBoolean();
        ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
        LongAdder answered = new LongAdder();
        LongAdder l1Hits = new LongAdder();
        ExecutorService askers = Executors.newFixedThreadPool(3);
        List<Future<?>> running = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            int seed = t;
            running.add(askers.submit(() -> {
                Random random = new Random(seed);
                while (!done.get()) {
                    int d = random.nextInt(DOCS);
                    long[] floor = new long[DOCS];
                    for (int i = 0; i < DOCS; i++) {
                        floor[i] = processed.get(i);
                    }
                    QueryResult result = engine.answer(new Query(C, "topic" + d + " facts", Map.of(), 3));
                    answered.increment();
                    if (result.cacheHits().contains(CacheLayer.L1.label())) {
                        l1Hits.increment();
                    }
                    for (Citation c : result.answer().citations()) {
                        int doc = Integer.parseInt(c.docId().substring(3));
                        long version = Long.parseLong(c.chunkId().substring(c.chunkId().lastIndexOf('@') + 1));
                        if (version < floor[doc]) {
                            violations.add(c.chunkId() + " cited after version " + floor[doc] + " was processed ("
                                    + result.cacheHits() + ")");
                        }
                    }
                }
                return null;
            }));
        }

        Random random = new Random(99);
        for (int u = 0; u < UPDATES; u++) {
            int d = random.nextInt(DOCS);
            long version = ++versions[d];
            boolean delete = random.nextInt(5) == 0;
            WriteResult written = write(d, version, delete);
            long epoch = store.commit();
            IndexChange change = IndexChange.newBuilder()
                    .setCollection(C).setDocId(docId(d)).setVersion(version)
                    .setOp(delete ? DocumentOp.DELETE : DocumentOp.UPSERT)
                    .setAddedChunkIds(written.addedChunkIds()).setRemovedChunkIds(written.removedChunkIds())
                    .setCommitEpoch(epoch).setCommitTime(Instant.now()).setSourceEventTime(Instant.now())
                    .build();
            changes.pipeInput(Topics.documentKey(C, docId(d)).getBytes(StandardCharsets.UTF_8), codec.encode(change));
            processed.set(d, version);
            Thread.sleep(random.nextInt(15)); // let queries run between updates, some hitting the caches
        }
        done.set(true);
        for (Future<?> f : running) {
            f.get(60, TimeUnit.SECONDS);
        }
        askers.shutdown();

        assertThat(violations).as("stale citations").isEmpty();
        assertThat(answered.sum()).isGreaterThan(UPDATES);
        assertThat(l1Hits.sum()).as("the caches were exercised").isPositive();
    }

    private WriteResult write(int d, long version, boolean delete) {
        if (delete) {
            return store.deleteDocument(C, docId(d));
        }
        String text = "topic" + d + " facts: this is version v" + version + " of document " + d + ", word"
                + version + "x" + d;
        Chunk chunk = new Chunk(ChunkIds.of(C, docId(d), 0, version), C, docId(d), version, 0, "Doc " + d, text,
                Map.of());
        return store.replaceDocument(C, docId(d), List.of(new IndexedChunk(chunk,
                HashingEmbedder.embed(chunk.embeddingText()))));
    }

    private static String docId(int d) {
        return "doc" + d;
    }

    /** Dense and keyword retrieval, cites the top k of the dense list (keyword only feeds the L3 cache). */
    private static final class CitingEngine implements QueryEngine {
        private final io.streamrag.core.embed.Embedder embedder;
        private final VectorStore store;

        CitingEngine(io.streamrag.core.embed.Embedder embedder, VectorStore store) {
            this.embedder = embedder;
            this.store = store;
        }

        @Override
        public QueryResult answer(Query query) {
            SearchFilter filter = new SearchFilter(query.collection(), query.filters());
            List<ScoredChunk> hits = store.searchDense(embedder.embedQuery(query.text()), 10, filter);
            store.searchKeyword(query.text(), 10, filter);
            List<Citation> citations = new ArrayList<>();
            for (ScoredChunk hit : hits.subList(0, Math.min(query.topK(), hits.size()))) {
                citations.add(new Citation(citations.size() + 1, hit.chunk().docId(), hit.chunk().chunkId(),
                        hit.score(), hit.chunk().text()));
            }
            return new QueryResult(new Answer("answer", citations), "normal", Map.of("total", 1L));
        }
    }

    /** Feature hashing of words: deterministic, model-free, similar texts get similar vectors. */
    static final class HashingEmbedder implements io.streamrag.core.embed.Embedder {
        static final int DIMENSION = 64;

        static float[] embed(String text) {
            float[] v = new float[DIMENSION];
            for (String word : text.toLowerCase().split("[^a-z0-9]+")) {
                if (!word.isEmpty()) {
                    v[Math.floorMod(word.hashCode(), DIMENSION)] += 1;
                }
            }
            double norm = 0;
            for (float x : v) {
                norm += x * x;
            }
            for (int i = 0; i < DIMENSION; i++) {
                v[i] /= (float) Math.max(Math.sqrt(norm), 1e-9);
            }
            return v;
        }

        @Override
        public List<float[]> embedPassages(List<String> texts) {
            return texts.stream().map(HashingEmbedder::embed).toList();
        }

        @Override
        public float[] embedQuery(String text) {
            return embed(text);
        }

        @Override
        public int dimension() {
            return DIMENSION;
        }

        @Override
        public String modelId() {
            return "hashing-64";
        }

        @Override
        public io.streamrag.core.embed.TokenCounter tokenCounter() {
            return text -> text.split("\\s+").length;
        }

        @Override
        public void close() {
        }
    }
}
