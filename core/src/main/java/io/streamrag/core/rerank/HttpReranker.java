package io.streamrag.core.rerank;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamrag.core.store.ScoredChunk;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A {@link Reranker} that asks a rerank service speaking the text-embeddings-inference (TEI) {@code /rerank}
 * protocol: {@code POST {base}/rerank} with {@code {"query": q, "texts": [...], "raw_scores": false,
 * "truncate": true}}, answered by {@code [{"index": i, "score": s}, ...]} (any order). Candidates are sent as
 * their title and text ({@link io.streamrag.core.chunk.Chunk#embeddingText()}), at most {@code maxBatchSize} per
 * request (TEI rejects larger requests; its default limit is 32); the scores of all requests are merged and the
 * best {@code topK} returned with the service's scores. Ties keep the retrieval order.
 *
 * <p>Every failure — unreachable service, timeout, an HTTP status other than 200, a malformed or incomplete
 * answer — throws {@link RerankException} saying what to check. Thread-safe ({@link HttpClient} and the Jackson
 * mapper are). The client is owned by this reranker unless one was given to the builder; a JDK 17 client needs no
 * closing.
 */
public final class HttpReranker implements Reranker {
    /** TEI's default {@code --max-client-batch-size}. */
    public static final int DEFAULT_MAX_BATCH_SIZE = 32;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    private static final int MAX_ERROR_BODY_CHARS = 300;

    private final URI endpoint;
    private final Duration timeout;
    private final int maxBatchSize;
    private final boolean truncate;
    private final HttpClient client;
    private final ObjectMapper json = new ObjectMapper();

    private HttpReranker(Builder b) {
        this.endpoint = b.endpoint;
        this.timeout = b.timeout;
        this.maxBatchSize = b.maxBatchSize;
        this.truncate = b.truncate;
        this.client = b.client != null ? b.client : HttpClient.newBuilder().connectTimeout(b.connectTimeout).build();
    }

    /**
     * A builder for the service at {@code baseUri}, e.g. {@code http://localhost:8080}; {@code /rerank} is appended.
     */
    public static Builder builder(URI baseUri) {
        return new Builder(baseUri);
    }

    @Override
    public List<ScoredChunk> rerank(String query, List<ScoredChunk> candidates, int topK) {
        Objects.requireNonNull(query, "query");
        Objects.requireNonNull(candidates, "candidates");
        if (topK <= 0) {
            throw new IllegalArgumentException("topK must be > 0, got " + topK);
        }
        if (candidates.isEmpty()) {
            return List.of();
        }
        double[] scores = new double[candidates.size()];
        for (int from = 0; from < candidates.size(); from += maxBatchSize) {
            int to = Math.min(candidates.size(), from + maxBatchSize);
            List<String> texts = new ArrayList<>(to - from);
            for (ScoredChunk c : candidates.subList(from, to)) {
                texts.add(c.chunk().embeddingText());
            }
            double[] batch = post(query, texts);
            System.arraycopy(batch, 0, scores, from, batch.length);
        }
        return RerankOrder.best(candidates, scores, topK);
    }

    /** The endpoint requests go to. */
    public URI endpoint() {
        return endpoint;
    }

    @Override
    public String toString() {
        return "HttpReranker[" + endpoint + "]";
    }

    /** The scores of {@code texts}, in their order. */
    private double[] post(String query, List<String> texts) {
        HttpRequest request = HttpRequest.newBuilder(endpoint)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(requestBody(query, texts), StandardCharsets.UTF_8))
                .build();
        HttpResponse<String> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (HttpTimeoutException e) {
            throw new RerankException("rerank service " + endpoint + " did not answer within " + timeout.toMillis()
                    + " ms for " + texts.size() + " texts: check its load, or raise the timeout", e);
        } catch (IOException e) {
            throw new RerankException("rerank service " + endpoint + " is unreachable (" + e
                    + "): check that it runs and the URL", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RerankException("interrupted while waiting for rerank service " + endpoint, e);
        }
        if (response.statusCode() != 200) {
            throw new RerankException("rerank service " + endpoint + " answered HTTP " + response.statusCode()
                    + " for " + texts.size() + " texts: " + abbreviate(response.body())
                    + (response.statusCode() == 413 ? " (lower maxBatchSize)" : ""));
        }
        return parseScores(response.body(), texts.size());
    }

    private String requestBody(String query, List<String> texts) {
        ObjectNode body = json.createObjectNode();
        body.put("query", query);
        ArrayNode array = body.putArray("texts");
        texts.forEach(array::add);
        body.put("raw_scores", false);
        body.put("truncate", truncate);
        try {
            return json.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            // Strings and booleans always serialise; reaching this is a Jackson bug, not a service failure.
            throw new IllegalStateException("could not serialise a rerank request", e);
        }
    }

    private double[] parseScores(String body, int expected) {
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (JsonProcessingException e) {
            throw new RerankException("rerank service " + endpoint + " answered with invalid JSON: "
                    + abbreviate(body) + ": check that it speaks the TEI /rerank protocol", e);
        }
        if (root == null || !root.isArray()) {
            throw malformed("expected a JSON array of {index, score}", body);
        }
        double[] scores = new double[expected];
        boolean[] seen = new boolean[expected];
        for (JsonNode item : root) {
            JsonNode index = item.get("index");
            JsonNode score = item.get("score");
            if (index == null || !index.canConvertToInt() || !index.isIntegralNumber()
                    || score == null || !score.isNumber()) {
                throw malformed("an item lacks an integer 'index' or a numeric 'score'", body);
            }
            int i = index.intValue();
            if (i < 0 || i >= expected) {
                throw malformed("index " + i + " is outside [0, " + expected + ")", body);
            }
            if (seen[i]) {
                throw malformed("index " + i + " appears twice", body);
            }
            double s = score.doubleValue();
            if (!Double.isFinite(s)) {
                throw malformed("the score of index " + i + " is not finite", body);
            }
            seen[i] = true;
            scores[i] = s;
        }
        for (int i = 0; i < expected; i++) {
            if (!seen[i]) {
                throw malformed("no score for index " + i + " of " + expected + " texts", body);
            }
        }
        return scores;
    }

    private RerankException malformed(String what, String body) {
        return new RerankException("rerank service " + endpoint + " answered malformed scores (" + what + "): "
                + abbreviate(body) + ": check that it speaks the TEI /rerank protocol");
    }

    private static String abbreviate(String body) {
        if (body == null || body.isEmpty()) {
            return "(empty body)";
        }
        String oneLine = body.replaceAll("\\s+", " ").strip();
        return oneLine.length() <= MAX_ERROR_BODY_CHARS ? oneLine : oneLine.substring(0, MAX_ERROR_BODY_CHARS) + "…";
    }

    /** Settings of an {@link HttpReranker}; each setter validates its value. Not thread-safe. */
    public static final class Builder {
        private final URI endpoint;
        private Duration timeout = DEFAULT_TIMEOUT;
        private Duration connectTimeout = Duration.ofSeconds(5);
        private int maxBatchSize = DEFAULT_MAX_BATCH_SIZE;
        private boolean truncate = true;
        private HttpClient client;

        private Builder(URI baseUri) {
            Objects.requireNonNull(baseUri, "baseUri");
            String scheme = baseUri.getScheme();
            if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme)) {
                throw new IllegalArgumentException("baseUri must be an http(s) URL, got " + baseUri);
            }
            String base = baseUri.toString();
            // String concatenation, not URI.resolve: resolve drops the base's last path segment without a slash.
            this.endpoint = URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/rerank");
        }

        /** The longest one request may take, connection included (default 10 s), > 0. */
        public Builder timeout(Duration timeout) {
            this.timeout = positive(timeout, "timeout");
            return this;
        }

        /** The longest connecting may take (default 5 s), > 0; ignored when a client is given. */
        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = positive(connectTimeout, "connectTimeout");
            return this;
        }

        /** The most texts per request (default {@value #DEFAULT_MAX_BATCH_SIZE}), > 0. */
        public Builder maxBatchSize(int maxBatchSize) {
            if (maxBatchSize <= 0) {
                throw new IllegalArgumentException("maxBatchSize must be > 0, got " + maxBatchSize);
            }
            this.maxBatchSize = maxBatchSize;
            return this;
        }

        /**
         * Whether the service may truncate inputs longer than its model accepts (default true); false makes such
         * inputs fail (HTTP 413/422) rather than be scored on their beginning.
         */
        public Builder truncate(boolean truncate) {
            this.truncate = truncate;
            return this;
        }

        /** The HTTP client to use (default: a new one with the connect timeout); the caller keeps owning it. */
        public Builder httpClient(HttpClient client) {
            this.client = Objects.requireNonNull(client, "client");
            return this;
        }

        public HttpReranker build() {
            return new HttpReranker(this);
        }

        private static Duration positive(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException(name + " must be > 0, got " + d);
            }
            return d;
        }
    }
}
