package io.streamrag.query;

import io.streamrag.core.cache.RedisCaches;
import io.streamrag.core.embed.EmbeddingModel;
import io.streamrag.core.embed.OnnxEmbedder;
import io.streamrag.core.generate.ExtractiveGenerator;
import io.streamrag.core.generate.Generator;
import io.streamrag.core.generate.llm.ChatCompletionsGenerator;
import io.streamrag.core.query.HybridQueryEngine;
import io.streamrag.core.rerank.CrossEncoderReranker;
import io.streamrag.core.rerank.HttpReranker;
import io.streamrag.core.rerank.Reranker;
import io.streamrag.core.rerank.SentenceMaxSimReranker;
import io.streamrag.core.store.StoreSettings;
import io.streamrag.core.store.VectorStore;
import io.streamrag.streams.CommonOptions;
import io.streamrag.streams.HealthServer;
import io.streamrag.streams.ProcessMain;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The query processor as a process: the query engine assembled from a {@link QueryProcessorConfig} (question
 * embedder, the configured store opened read-only ({@link StoreSettings}), Redis caches, LLM pool or extractive answers, reranker, circuit breakers and
 * the degradation ladder inside {@link HybridQueryEngine}), run by {@link QueryStreams}, with /health and /ready.
 *
 * <pre>
 * rag.queries ─► QueryTopology ─► L1 response cache ─► HybridQueryEngine ─► rag.responses
 *                                                        │ embed (L2) ─ retrieve (L3, store read-only) ─ rerank
 *                                                        └ generate (LLM pool, L4 prefix routing; extractive fallback)
 * </pre>
 *
 * <p>Scale by running more instances with the same {@code application.id}: they share the partitions of
 * rag.queries. The dev stack runs this same class in its JVM. The creator owns it and closes it; {@link #close()}
 * stops the parts in reverse order of their start. Thread-safe.
 */
public final class QueryProcessor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(QueryProcessor.class);

    private final Deque<AutoCloseable> parts = new ArrayDeque<>();
    private RedisCaches caches;
    private QueryStreams streams;
    private HealthServer health;

    private QueryProcessor() {
    }

    /**
     * Assembles the engine, connects to Redis and Kafka and starts processing. Returns once started; use
     * {@link #awaitRunning} to wait until it answers.
     *
     * @throws IllegalArgumentException if the configuration is not usable (the message names the key)
     */
    public static QueryProcessor start(QueryProcessorConfig config) {
        Objects.requireNonNull(config, "config");
        QueryProcessor processor = new QueryProcessor();
        try {
            processor.startParts(config);
            return processor;
        } catch (RuntimeException | Error e) {
            processor.close();
            throw e;
        }
    }

    private void startParts(QueryProcessorConfig config) {
        EmbeddingModel model = EmbeddingModel.fromId(config.getString(QueryProcessorConfig.EMBEDDING_MODEL));
        OnnxEmbedder embedder = OnnxEmbedder.builder(model)
                .intraOpThreads(config.getInt(QueryProcessorConfig.EMBED_THREADS))
                .build();
        parts.push(embedder);
        StoreSettings storeSettings = config.storeSettings();
        VectorStore store = storeSettings.openReader(embedder.dimension());
        parts.push(store);
        caches = RedisCaches.connect(CommonOptions.redisSettings(config).build());
        parts.push(caches);
        Generator generator = primaryGenerator(config);
        Reranker reranker = reranker(config, embedder);
        HybridQueryEngine.Builder engine = HybridQueryEngine.builder()
                .embedder(caches.embeddingCache(embedder))
                .store(caches.retrievalCache(store))
                .generator(generator)
                .fallbackGenerator(new ExtractiveGenerator())
                .rerankDepth(config.getInt(QueryProcessorConfig.RERANK_DEPTH));
        if (reranker != null) {
            engine.reranker(reranker);
        }
        QueryStreamsSettings settings = config.streamsSettings();
        streams = QueryStreams.start(settings, caches.responseCache(engine.build()));
        parts.push(streams);
        health = HealthServer.start(config.getString(CommonOptions.HEALTH_HOST),
                config.getInt(CommonOptions.HEALTH_PORT), streams.healthCheck());
        parts.push(health);
        LOG.info("query processor {} connected: Kafka {} (group {}, {} threads), Redis {}, store {}, "
                        + "model {}, answers by {}, reranker {}, /health and /ready on port {}",
                settings.applicationId(), settings.bootstrapServers(), settings.applicationId(),
                settings.numStreamThreads(), caches.settings().url().getHost() + ":" + caches.settings().url().getPort(),
                storeSettings, model.id(), generator, reranker == null ? "none" : reranker, health.port());
    }

    /**
     * The LLM pool named by {@code llm.base.url}, or extractive answers when it is empty. Several URLs (replicas of
     * one model) get one client each behind the L4 prefix router, so the caches must be connected first.
     */
    private Generator primaryGenerator(QueryProcessorConfig config) {
        List<String> baseUrls = config.getList(QueryProcessorConfig.LLM_BASE_URL);
        if (baseUrls.isEmpty()) {
            return new ExtractiveGenerator();
        }
        Map<String, ChatCompletionsGenerator> pool = new LinkedHashMap<>();
        for (String baseUrl : ChatCompletionsGenerator.parseBaseUrls(String.join(",", baseUrls))) {
            ChatCompletionsGenerator llm = ChatCompletionsGenerator.builder()
                    .baseUrl(baseUrl)
                    .model(config.getString(QueryProcessorConfig.LLM_MODEL))
                    .apiKey(config.llmApiKey())
                    .build();
            parts.push(llm);
            pool.put(baseUrl, llm);
        }
        if (pool.size() == 1) {
            return pool.values().iterator().next();
        }
        // the pool's generators are parts already; the router holds nothing else to close
        return caches.prefixRouting(pool);
    }

    private Reranker reranker(QueryProcessorConfig config, OnnxEmbedder embedder) {
        switch (config.getString(QueryProcessorConfig.RERANKER)) {
            case "sentence-maxsim":
                return SentenceMaxSimReranker.create(embedder);
            case "cross-encoder":
                CrossEncoderReranker crossEncoder = CrossEncoderReranker.builder(
                        Path.of(config.getString(QueryProcessorConfig.RERANKER_MODEL_DIR))).build();
                parts.push(crossEncoder);
                return crossEncoder;
            case "http":
                return HttpReranker.builder(URI.create(config.getString(QueryProcessorConfig.RERANKER_URL))).build();
            default:
                return null;
        }
    }

    /**
     * Waits until the processor is {@code RUNNING}.
     *
     * @return true once running, false if the timeout passed first
     * @throws IllegalStateException if it stopped or failed instead
     */
    public boolean awaitRunning(Duration timeout) throws InterruptedException {
        return streams.awaitRunning(timeout);
    }

    /** The caches this processor answers from (hit ratios per layer). */
    public RedisCaches caches() {
        return caches;
    }

    /** The port /health and /ready are served on. */
    public int healthPort() {
        return health.port();
    }

    @Override
    public void close() {
        while (!parts.isEmpty()) {
            AutoCloseable part = parts.pop();
            try {
                part.close();
            } catch (Exception e) {
                // keep closing the others: a failed close must not leave Kafka clients or native sessions open
                LOG.warn("failed to close a part of the query processor: {}", e.toString(), e);
            }
        }
    }

    /**
     * Runs a query processor until SIGTERM: {@code [--config FILE]}, then the environment over the file (see
     * {@link QueryProcessorConfig}).
     */
    public static void main(String[] args) {
        int status = ProcessMain.run("query processor", () -> start(QueryProcessorConfig.load(
                ProcessMain.configFile("query-processor", args), System.getenv())));
        if (status != 0) {
            System.exit(status);
        }
    }
}
