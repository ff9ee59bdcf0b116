package io.streamrag.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamrag.testkit.ElasticsearchCluster;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@link VectorStoreContract} against {@link ElasticsearchVectorStore} on a real 3-node Elasticsearch cluster
 * (started once for the class), with 2 primary shards and 1 replica per collection; each test writes under its own
 * index prefix. Last, on the same cluster (one start per class keeps the build quick),
 * {@link #queriesGoOnWhileANodeIsKilledAndTheIndexIsTheFoldOfTheWritesAfterItReturns}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ElasticsearchVectorStoreIT extends VectorStoreContract {
    private static final AtomicInteger TESTS = new AtomicInteger();
    private static ElasticsearchCluster cluster;
    private String prefix;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = ElasticsearchTestCluster.start("es-contract", 3);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @BeforeEach
    void freshPrefix() {
        prefix = "contract-" + TESTS.incrementAndGet() + "-";
    }

    @AfterEach
    void deleteIndices() throws Exception {
        String host = cluster.hosts().split(",")[0];
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(host + "/" + prefix + "*")).DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }

    private ElasticsearchVectorStore.Builder builder() {
        return ElasticsearchVectorStore.builder().hosts(List.of(cluster.hosts().split(","))).indexPrefix(prefix)
                .dimension(DIMENSION).shards(2).replicas(1);
    }

    @Override
    protected VectorStore createStore() {
        return builder().build();
    }

    @Override
    protected VectorStore createReader() {
        return builder().readOnly(true).build();
    }

    @Test
    void collectionsThatDifferOnlyInCaseGetTheirOwnIndex() {
        assertThat(ElasticsearchVectorStore.indexName("p-", "Alpha_1")).isEqualTo("p-_alpha__1");
        assertThat(ElasticsearchVectorStore.indexName("p-", "alpha_1")).isNotEqualTo(
                ElasticsearchVectorStore.indexName("p-", "Alpha_1"));
        VectorStore store = openStore();
        store.replaceDocument("Docs", "d1", chunks("Docs", "d1", 1, 2));
        store.replaceDocument("docs", "d1", chunks("docs", "d1", 1, 3));
        store.commit();
        assertThat(store.searchDense(axis(0), 10, SearchFilter.collection("Docs"))).hasSize(2)
                .allSatisfy(h -> assertThat(h.chunk().collection()).isEqualTo("Docs"));
        assertThat(store.searchKeyword("kafka", 10, SearchFilter.collection("docs"))).hasSize(3)
                .allSatisfy(h -> assertThat(h.chunk().collection()).isEqualTo("docs"));
    }

    @Test
    void theIndexRecordsTheCollectionSettingsAndAReaderSeesThem() {
        VectorStore store = ElasticsearchVectorStore.builder().hosts(List.of(cluster.hosts().split(",")))
                .indexPrefix(prefix).dimension(DIMENSION).shards(3).replicas(2)
                .embeddingModelId("bge-small-en-v1.5-q").chunking(200, 20).build();
        try (store) {
            assertThat(store.recordedSettings(COLLECTION)).isEmpty();
            store.replaceDocument(COLLECTION, "d1", chunks(COLLECTION, "d1", 1, 1));
            store.commit();
        }
        VectorStore reader = openReader();
        assertThat(reader.recordedSettings(COLLECTION)).contains(new CollectionProfile(3, DIMENSION,
                java.util.Optional.of("bge-small-en-v1.5-q"),
                java.util.Optional.of(new CollectionProfile.Chunking(200, 20))));
        assertThatThrownBy(() -> reader.replaceDocument(COLLECTION, "d2", chunks(COLLECTION, "d2", 1, 1)))
                .isInstanceOf(UnsupportedOperationException.class);
        float[] tooShort = Arrays.copyOf(axis(0), DIMENSION - 1);
        assertThatThrownBy(() -> reader.searchDense(tooShort, 1, SearchFilter.collection(COLLECTION)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dimensions");
    }

    @Test
    void keywordSearchUsesTheSameEnglishAnalysisAsTheLuceneStore() {
        VectorStore store = openStore();
        store.replaceDocument(COLLECTION, "d1", List.of(chunk(COLLECTION, "d1", 1, 0,
                "Brokers were running the partitions", axis(0), Map.of())));
        store.commit();
        // stemming (run/running, partition/partitions) and stop words, as EnglishAnalyzer does them
        assertThat(store.searchKeyword("run partition", 5, SearchFilter.collection(COLLECTION))).hasSize(1);
        assertThat(store.searchKeyword("the was", 5, SearchFilter.collection(COLLECTION))).isEmpty();
        assertThat(store.searchKeyword("\"partitions\" AND (unbalanced ?", 5, SearchFilter.collection(COLLECTION)))
                .hasSize(1);
    }

    /**
     * Replicated index under load: a reader queries without pause while the writer commits; one node is SIGKILLed.
     * Once the cluster reports the loss (yellow with 2 nodes), every query must be answered, in full (the store
     * refuses partial results), from the surviving copies, with chunks of the queried collection only. Writes
     * continue meanwhile (a commit refused while a primary moves is retried, as the ingest job replays a batch).
     * After the node returns and the cluster is green, the index holds exactly the fold of the writes: the chunks
     * of each document's last version, none of a deleted document.
     */
    @Test
    @Order(Integer.MAX_VALUE)
    void queriesGoOnWhileANodeIsKilledAndTheIndexIsTheFoldOfTheWritesAfterItReturns() throws Exception {
        VectorStore writer = ElasticsearchVectorStore.builder().hosts(List.of(cluster.hosts().split(",")))
                .indexPrefix(prefix).dimension(DIMENSION).shards(3).replicas(1).build();
        track(writer);
        VectorStore reader = openReader();
        Map<String, List<String>> fold = new java.util.TreeMap<>();
        for (int d = 0; d < 30; d++) {
            String docId = "doc-" + d;
            List<IndexedChunk> chunks = chunks(COLLECTION, docId, 1, 1 + d % 4);
            writer.replaceDocument(COLLECTION, docId, chunks);
            fold.put(docId, ids(chunks));
        }
        // the wall: same doc ids, words and vectors in another collection
        writer.replaceDocument("other", "doc-0", chunks("other", "doc-0", 1, 3));
        writer.commit();

        java.util.concurrent.atomic.AtomicBoolean lossReported = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicLong answeredAfterLoss = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicLong failedBeforeLoss = new java.util.concurrent.atomic.AtomicLong();
        List<String> violations = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        Thread queries = new Thread(() -> {
            SearchFilter filter = SearchFilter.collection(COLLECTION);
            for (int i = 0; !stop.get(); i++) {
                boolean afterLoss = lossReported.get();
                try {
                    List<ScoredChunk> hits = i % 2 == 0 ? reader.searchDense(axis(0), 20, filter)
                            : reader.searchKeyword("kafka streams", 20, filter);
                    if (hits.isEmpty()) {
                        violations.add("query " + i + " returned nothing");
                    }
                    for (ScoredChunk hit : hits) {
                        if (!hit.chunk().collection().equals(COLLECTION) || !hit.chunk().docId().startsWith("doc-")) {
                            violations.add("query " + i + " returned " + hit.chunk().chunkId());
                        }
                    }
                    if (afterLoss) {
                        answeredAfterLoss.incrementAndGet();
                    }
                } catch (RuntimeException e) {
                    if (afterLoss) {
                        violations.add("query " + i + " failed after the cluster reported the loss: " + e);
                    } else {
                        failedBeforeLoss.incrementAndGet();
                    }
                }
            }
        }, "es-queries");
        queries.start();
        try {
            cluster.kill(2);
            cluster.awaitHealth(2, "yellow", java.time.Duration.ofMinutes(2));
            lossReported.set(true);

            // writes go on with a node down: new versions, shrinking and growing documents, deletes
            for (int d = 0; d < 30; d += 3) {
                String docId = "doc-" + d;
                if (d % 2 == 0) {
                    List<IndexedChunk> chunks = chunks(COLLECTION, docId, 2, 1 + (d + 1) % 4);
                    writer.replaceDocument(COLLECTION, docId, chunks);
                    fold.put(docId, ids(chunks));
                } else {
                    writer.deleteDocument(COLLECTION, docId);
                    fold.remove(docId);
                }
            }
            commitWithRetries(writer);
            Thread.sleep(2_000);

            cluster.restart(2);
            cluster.awaitReady(java.time.Duration.ofMinutes(3));
        } finally {
            stop.set(true);
            queries.join(60_000);
        }

        assertThat(violations).isEmpty();
        assertThat(answeredAfterLoss.get()).as("queries answered with a node down").isPositive();
        java.util.Set<String> expected = fold.values().stream().flatMap(List::stream)
                .collect(java.util.stream.Collectors.toSet());
        List<ScoredChunk> everything = reader.searchDense(axis(0), 1000, SearchFilter.collection(COLLECTION));
        assertThat(hitIds(everything)).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(expected);
        for (String docId : fold.keySet()) {
            assertThat(visibleChunkIds(reader, COLLECTION, docId)).containsExactlyInAnyOrderElementsOf(fold.get(docId));
        }
        assertThat(hitIds(reader.searchDense(axis(0), 100, SearchFilter.collection("other")))).hasSize(3);
        System.out.printf("node kill: %d queries answered with a node down, %d failed before the cluster reported "
                + "the loss%n", answeredAfterLoss.get(), failedBeforeLoss.get());
    }

    /** A commit refused while shards move is replayed, as the ingest job replays its batch. */
    private static void commitWithRetries(VectorStore writer) throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                writer.commit();
                return;
            } catch (RuntimeException e) {
                if (attempt == 10) {
                    throw e;
                }
                Thread.sleep(1_000);
            }
        }
    }
}
