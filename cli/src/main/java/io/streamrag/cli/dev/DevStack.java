package io.streamrag.cli.dev;

import io.streamrag.core.cache.RedisCacheSettings;
import io.streamrag.core.cache.RedisCaches;
import io.streamrag.core.embed.EmbeddingModel;
import io.streamrag.core.embed.OnnxEmbedder;
import io.streamrag.core.generate.ExtractiveGenerator;
import io.streamrag.core.generate.Generator;
import io.streamrag.core.generate.llm.ChatCompletionsGenerator;
import io.streamrag.core.query.HybridQueryEngine;
import io.streamrag.core.store.LuceneShardStore;
import io.streamrag.ingest.IngestJob;
import io.streamrag.ingest.IngestSettings;
import io.streamrag.invalidation.InvalidationSettings;
import io.streamrag.invalidation.InvalidationStreams;
import io.streamrag.query.QueryStreams;
import io.streamrag.query.QueryStreamsSettings;
import io.streamrag.schemas.Topics;
import io.streamrag.testkit.EmbeddedKafka;
import io.streamrag.testkit.LocalRedis;
import io.streamrag.testkit.StackTopics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole streamrag stack in this JVM, with real components: a Kafka broker (KRaft), the ingest job on a
 * Flink MiniCluster, the query processor and the cache invalidation processor on Kafka Streams, Redis for the
 * caches (embedded, or {@code REDIS_URL}), Lucene shards on disk and the ONNX model.
 *
 * <p>Everything lives under {@link DevSettings#dataDir()} and survives a restart. The creator owns the stack and
 * closes it; {@link #close()} stops the parts in reverse order of their start.
 */
public final class DevStack implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DevStack.class);
    /** Overrides {@link #DEFAULT_QUERY_EMBED_THREADS}. */
    static final String ENV_QUERY_EMBED_THREADS = "STREAMRAG_QUERY_EMBED_THREADS";
    /**
     * ONNX Runtime intra-op threads per question embedding. The query processor's stream threads embed questions
     * concurrently, so the parallelism comes from them; extra intra-op threads only add hand-offs and spinning
     * worker threads on top (see docs/benchmarks.md, "Query").
     */
    static final int DEFAULT_QUERY_EMBED_THREADS = 1;
    /**
     * The query processor's commit interval in ms (default {@code QueryStreamsSettings.DEFAULT_COMMIT_INTERVAL}):
     * an answer becomes visible at its stream thread's next exactly-once commit, so this bounds the wait of answers
     * that take less time than it (cache hits); a thread busy on LLM calls commits after every answer anyway.
     */
    static final String ENV_QUERY_COMMIT_INTERVAL_MS = "STREAMRAG_QUERY_COMMIT_INTERVAL_MS";
    /**
     * Partitions of rag.queries and rag.responses, and stream threads of the query processor (default
     * {@code Topics.DEFAULT_QUERY_PARTITIONS}).
     */
    static final String ENV_QUERY_PARTITIONS = "STREAMRAG_QUERY_PARTITIONS";

    private final Deque<AutoCloseable> parts = new ArrayDeque<>();
    /** Where the tuning variables ({@code STREAMRAG_*}, {@code REDIS_*}) are read from. */
    private final Map<String, String> env;
    private String bootstrapServers;
    private LocalRedis redis;
    private RedisCaches caches;
    private InvalidationStreams invalidation;

    private DevStack(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    /**
     * Starts every part and returns once documents and queries are accepted, configured by this process's
     * environment (README, "environment").
     */
    public static DevStack start(DevSettings settings) throws Exception {
        return start(settings, System.getenv());
    }

    /** As {@link #start(DevSettings)}, with the environment variables read from {@code env} instead. */
    public static DevStack start(DevSettings settings, Map<String, String> env) throws Exception {
        DevStack stack = new DevStack(env);
        try {
            stack.startParts(settings);
            return stack;
        } catch (Exception | Error e) {
            stack.close();
            throw e;
        }
    }

    private void startParts(DevSettings settings) throws Exception {
        Path dataDir = settings.dataDir().toAbsolutePath();
        Files.createDirectories(dataDir);
        // one stream thread per partition of rag.queries: each blocks on its LLM call (see StackTopics)
        int queryPartitions = Environment.positiveInt(env, ENV_QUERY_PARTITIONS, Topics.DEFAULT_QUERY_PARTITIONS);
        int kafkaPort = settings.kafkaPort() == 0 ? freePort() : settings.kafkaPort();
        int controllerPort = settings.controllerPort() == 0 ? freePort() : settings.controllerPort();

        EmbeddedKafka kafka = EmbeddedKafka.start(dataDir.resolve("kafka"), kafkaPort, controllerPort);
        parts.push(kafka);
        bootstrapServers = kafka.bootstrapServers();
        Properties adminProps = new Properties();
        adminProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        try (Admin admin = Admin.create(adminProps)) {
            StackTopics.createMissing(admin, StackTopics.all(queryPartitions));
        }

        Path indexDir = dataDir.resolve("index");
        IngestSettings ingestSettings = IngestSettings.builder()
                .bootstrapServers(bootstrapServers)
                .indexDir(indexDir)
                // retained checkpoints: a restarted stack resumes with its offsets and version-guard state
                .checkpointDir(dataDir.resolve("flink/checkpoints"))
                .build();
        StreamExecutionEnvironment flink = StreamExecutionEnvironment.createLocalEnvironment(
                flinkConfiguration(dataDir, ingestSettings));
        JobClient job = IngestJob.start(flink, ingestSettings);
        parts.push(() -> cancel(job));

        int queryEmbedThreads = Environment.positiveInt(env, ENV_QUERY_EMBED_THREADS,
                DEFAULT_QUERY_EMBED_THREADS);
        OnnxEmbedder queryEmbedder = OnnxEmbedder.builder(EmbeddingModel.fromId(ingestSettings.embeddingModelId()))
                .intraOpThreads(queryEmbedThreads)
                .build();
        parts.push(queryEmbedder);
        LuceneShardStore readStore = LuceneShardStore.builder()
                .dataDir(indexDir)
                .dimension(queryEmbedder.dimension())
                .readOnly(true)
                .build();
        parts.push(readStore);
        startCaches(dataDir);
        HybridQueryEngine engine = HybridQueryEngine.builder()
                .embedder(caches.embeddingCache(queryEmbedder))
                .store(caches.retrievalCache(readStore))
                .generator(primaryGenerator())
                .fallbackGenerator(new ExtractiveGenerator())
                .build();
        QueryStreams queries = QueryStreams.start(QueryStreamsSettings.builder()
                .bootstrapServers(bootstrapServers)
                .numStreamThreads(queryPartitions)
                .commitInterval(Duration.ofMillis(Environment.positiveInt(env, ENV_QUERY_COMMIT_INTERVAL_MS,
                        (int) QueryStreamsSettings.DEFAULT_COMMIT_INTERVAL.toMillis())))
                .stateDir(dataDir.resolve("streams"))
                .build(), caches.responseCache(engine));
        parts.push(queries);

        awaitRunning(job, Duration.ofMinutes(2));
        queries.awaitRunning(Duration.ofMinutes(2));
        invalidation.awaitRunning(Duration.ofMinutes(2));
        LOG.info("stack running: Kafka {}, index {}, topics {} -> {}", bootstrapServers, indexDir,
                Topics.DOCUMENTS.name(), Topics.RESPONSES.name());
    }

    /**
     * Redis (embedded unless {@code REDIS_URL} is set), the caches on it, and the invalidation processor, which
     * must run before queries are answered from caches.
     */
    private void startCaches(Path dataDir) throws IOException {
        RedisCacheSettings.Builder cacheSettings = RedisCacheSettings.fromEnvironment(env);
        String externalRedis = env.get("REDIS_URL");
        if (externalRedis == null || externalRedis.isBlank()) {
            redis = LocalRedis.start(freePort(), dataDir.resolve("redis"));
            parts.push(redis);
            cacheSettings.url(redis.url());
        }
        caches = RedisCaches.connect(cacheSettings.build());
        parts.push(caches);
        invalidation = InvalidationStreams.start(InvalidationSettings.builder()
                .bootstrapServers(bootstrapServers)
                .stateDir(dataDir.resolve("streams-invalidation"))
                .build(), caches.invalidator());
        parts.push(invalidation);
    }

    /**
     * The LLM named by {@code STREAMRAG_LLM_BASE_URL} and {@code STREAMRAG_LLM_MODEL} when the first is set, else the
     * extractive generator. Several base URLs (replicas of one model) get one client each behind the L4 prefix
     * router, so the caches must be connected first. The clients are closed with the stack.
     */
    private Generator primaryGenerator() {
        List<String> baseUrls = ChatCompletionsGenerator.parseBaseUrls(
                env.get(ChatCompletionsGenerator.ENV_BASE_URL));
        if (baseUrls.isEmpty()) {
            return new ExtractiveGenerator();
        }
        Map<String, ChatCompletionsGenerator> pool = new LinkedHashMap<>();
        for (String baseUrl : baseUrls) {
            ChatCompletionsGenerator llm = ChatCompletionsGenerator.fromEnvironment(env).baseUrl(baseUrl).build();
            parts.push(llm);
            pool.put(baseUrl, llm);
        }
        if (pool.size() == 1) {
            Generator llm = pool.values().iterator().next();
            LOG.info("answering with {} (extractive answers when it fails)", llm);
            return llm;
        }
        // The pool's generators are parts already; the router holds nothing else to close.
        Generator routed = caches.prefixRouting(pool);
        LOG.info("answering with {} replicas routed by cached prompt prefix (L4), failing over to each other, then to "
                + "extractive answers: {}", pool.size(), pool.values());
        return routed;
    }

    private static Configuration flinkConfiguration(Path dataDir, IngestSettings ingestSettings) {
        // the checkpoint directory, retention and the checkpoint to resume from
        Configuration config = IngestJob.flinkConfiguration(ingestSettings);
        config.set(CoreOptions.DEFAULT_PARALLELISM, 1);
        config.set(CoreOptions.TMP_DIRS, dataDir.resolve("flink/tmp").toString());
        return config;
    }

    private static void awaitRunning(JobClient job, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            JobStatus status = job.getJobStatus().get(10, TimeUnit.SECONDS);
            if (status == JobStatus.RUNNING) {
                return;
            }
            if (status.isGloballyTerminalState()) {
                throw new IllegalStateException("the ingest job stopped while starting: " + status
                        + " (see the log above for the cause)");
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the ingest job was not running after " + timeout.toSeconds() + "s");
    }

    private static void cancel(JobClient job) throws Exception {
        JobStatus status = job.getJobStatus().get(10, TimeUnit.SECONDS);
        if (!status.isTerminalState()) {
            job.cancel().get(30, TimeUnit.SECONDS);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free local port", e);
        }
    }

    /** The stack's own Redis, empty when {@code REDIS_URL} points at an external one. */
    public Optional<LocalRedis> redis() {
        return Optional.ofNullable(redis);
    }

    /** The caches the query processor uses (hit ratios per layer). */
    public RedisCaches caches() {
        return caches;
    }

    /** The invalidation processor (invalidation lag). */
    public InvalidationStreams invalidation() {
        return invalidation;
    }

    /** The Kafka bootstrap address clients use to reach this stack. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    @Override
    public void close() {
        while (!parts.isEmpty()) {
            AutoCloseable part = parts.pop();
            try {
                part.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                LOG.warn("interrupted while stopping {}", part);
            } catch (Exception e) {
                // keep stopping the other parts: a failed close must not leave the broker running
                LOG.warn("failed to stop a part of the stack: {}", e.toString(), e);
            }
        }
    }
}
