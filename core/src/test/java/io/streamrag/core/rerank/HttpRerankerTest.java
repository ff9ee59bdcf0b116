package io.streamrag.core.rerank;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.streamrag.core.chunk.Chunk;
import io.streamrag.core.store.ScoredChunk;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link HttpReranker} against a real local HTTP server speaking the TEI {@code /rerank} protocol: the test
 * server scores a text by how many of the query's words it contains, and answers in reverse index order (TEI
 * sorts by score; the client must not rely on any order).
 */
class HttpRerankerTest {
    private final ObjectMapper json = new ObjectMapper();
    private final List<JsonNode> requests = new CopyOnWriteArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private HttpServer server;
    private ExecutorService serverThreads;
    private volatile Function<JsonNode, Reply> behaviour = this::teiScores;

    private record Reply(int status, String body) {
    }

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        serverThreads = Executors.newFixedThreadPool(4);
        server.setExecutor(serverThreads);
        server.createContext("/rerank", this::handle);
        server.start();
    }

    @AfterEach
    void stopServer() {
        release.countDown();
        server.stop(0);
        serverThreads.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            JsonNode request = json.readTree(exchange.getRequestBody());
            requests.add(request);
            Reply reply = "POST".equals(exchange.getRequestMethod())
                    && "application/json".equals(exchange.getRequestHeaders().getFirst("Content-Type"))
                    ? behaviour.apply(request)
                    : new Reply(405, "{\"error\":\"POST application/json only\"}");
            byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(reply.status(), body.length == 0 ? -1 : body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** TEI-like: score = share of the query's words found in the text; answered in reverse index order. */
    private Reply teiScores(JsonNode request) {
        String[] queryWords = request.get("query").asText().toLowerCase(Locale.ROOT).split("\\W+");
        JsonNode texts = request.get("texts");
        List<Map<String, Object>> out = new ArrayList<>();
        for (int i = texts.size() - 1; i >= 0; i--) {
            String text = texts.get(i).asText().toLowerCase(Locale.ROOT);
            int found = 0;
            for (String w : queryWords) {
                if (text.contains(w)) {
                    found++;
                }
            }
            out.add(Map.of("index", i, "score", (double) found / queryWords.length));
        }
        try {
            return new Reply(200, json.writeValueAsString(out));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private HttpReranker.Builder reranker() {
        return HttpReranker.builder(URI.create("http://127.0.0.1:" + server.getAddress().getPort()));
    }

    private static ScoredChunk hit(String docId, String text, double score) {
        return new ScoredChunk(new Chunk("c/" + docId + "#0@1", "c", docId, 1, 0, "", text, Map.of()), score);
    }

    private static final List<ScoredChunk> CANDIDATES = List.of(
            hit("a", "Kafka keeps partitions on brokers.", 0.9),
            hit("b", "Flink restores operator state from a checkpoint after a crash.", 0.8),
            hit("c", "Redis caches responses.", 0.7),
            hit("d", "Flink runs jobs.", 0.6),
            hit("e", "Lucene indexes text.", 0.5));

    private static List<String> docIds(List<ScoredChunk> hits) {
        return hits.stream().map(h -> h.chunk().docId()).toList();
    }

    @Test
    void reordersByTheServiceScoresAndSendsTheTeiRequestShape() {
        List<ScoredChunk> out = reranker().build().rerank("flink checkpoint crash", CANDIDATES, 2);

        assertThat(docIds(out)).containsExactly("b", "d");
        assertThat(out.get(0).score()).isEqualTo(1.0);
        assertThat(out.get(1).score()).isCloseTo(1.0 / 3, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(requests).singleElement().satisfies(r -> {
            assertThat(r.get("query").asText()).isEqualTo("flink checkpoint crash");
            assertThat(r.get("texts")).hasSize(5);
            assertThat(r.get("texts").get(1).asText()).isEqualTo(CANDIDATES.get(1).chunk().text());
            assertThat(r.get("raw_scores").asBoolean(true)).isFalse();
            assertThat(r.get("truncate").asBoolean()).isTrue();
        });
    }

    @Test
    void splitsLargeCandidateListsIntoBatchesAndMergesTheirScores() {
        List<ScoredChunk> batched = reranker().maxBatchSize(2).build().rerank("flink checkpoint crash", CANDIDATES, 5);

        assertThat(requests).extracting(r -> r.get("texts").size()).containsExactly(2, 2, 1);
        // b and d are in different batches; a, c, e score 0 and keep the retrieval order.
        assertThat(docIds(batched)).containsExactly("b", "d", "a", "c", "e");
    }

    @Test
    void anEmptyCandidateListSendsNothing() {
        assertThat(reranker().build().rerank("q", List.of(), 3)).isEmpty();
        assertThat(requests).isEmpty();
    }

    @Test
    void anHttpErrorNamesTheStatusAndTheBody() {
        behaviour = request -> new Reply(503, "{\"error\":\"model is overloaded\",\"error_type\":\"overloaded\"}");
        assertThatThrownBy(() -> reranker().build().rerank("q", CANDIDATES, 3))
                .isInstanceOf(RerankException.class)
                .hasMessageContaining("/rerank answered HTTP 503")
                .hasMessageContaining("model is overloaded");
    }

    @Test
    void aSlowServiceTimesOut() {
        behaviour = request -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new Reply(200, "[]");
        };
        assertThatThrownBy(() -> reranker().timeout(Duration.ofMillis(200)).build().rerank("q", CANDIDATES, 3))
                .isInstanceOf(RerankException.class)
                .hasMessageContaining("did not answer within 200 ms")
                .hasCauseInstanceOf(HttpTimeoutException.class);
    }

    @Test
    void malformedAnswersAreRejected() {
        HttpReranker reranker = reranker().build();
        for (String body : List.of("not json", "{\"index\":0}", "[{\"index\":7,\"score\":1}]",
                "[{\"index\":0,\"score\":1},{\"index\":0,\"score\":2}]", "[{\"index\":0,\"score\":\"high\"}]",
                "[{\"index\":0,\"score\":1}]")) {
            behaviour = request -> new Reply(200, body);
            assertThatThrownBy(() -> reranker.rerank("q", CANDIDATES.subList(0, 2), 2))
                    .as(body)
                    .isInstanceOf(RerankException.class)
                    .hasMessageContaining("TEI /rerank protocol");
        }
    }

    @Test
    void anUnreachableServiceSaysSo() {
        HttpReranker reranker = reranker().build();
        server.stop(0);
        assertThatThrownBy(() -> reranker.rerank("q", CANDIDATES, 3))
                .isInstanceOf(RerankException.class)
                .hasMessageContaining("is unreachable");
    }

    @Test
    void anInterruptedCallerKeepsItsInterruptFlag() {
        HttpReranker reranker = reranker().build();
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> reranker.rerank("q", CANDIDATES, 3))
                    .isInstanceOf(RerankException.class)
                    .hasMessageContaining("interrupted");
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void theBuilderValidatesItsSettings() {
        assertThatThrownBy(() -> HttpReranker.builder(URI.create("ftp://x")))
                .hasMessage("baseUri must be an http(s) URL, got ftp://x");
        assertThatThrownBy(() -> reranker().maxBatchSize(0)).hasMessage("maxBatchSize must be > 0, got 0");
        assertThatThrownBy(() -> reranker().timeout(Duration.ZERO)).hasMessage("timeout must be > 0, got PT0S");
        assertThatThrownBy(() -> reranker().build().rerank("q", CANDIDATES, 0)).hasMessage("topK must be > 0, got 0");
        assertThat(HttpReranker.builder(URI.create("http://h:8080/tei/")).build().endpoint())
                .isEqualTo(URI.create("http://h:8080/tei/rerank"));
    }
}
