package io.streamrag.cli.dev;

import io.streamrag.core.cache.RedisCaches;
import io.streamrag.gateway.Gateway;
import io.streamrag.gateway.GatewayConfig;
import io.streamrag.ingest.IngestJob;
import io.streamrag.ingest.IngestSettings;
import io.streamrag.invalidation.InvalidationProcessor;
import io.streamrag.invalidation.InvalidationProcessorConfig;
import io.streamrag.query.QueryProcessor;
import io.streamrag.query.QueryProcessorConfig;
import io.streamrag.schemas.Topics;
import io.streamrag.streams.CommonOptions;
import io.streamrag.streams.ConfigSources;
import io.streamrag.testkit.EmbeddedKafka;
import io.streamrag.testkit.FreePorts;
import io.streamrag.testkit.LocalRedis;
import io.streamrag.testkit.StackTopics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
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
    /**
     * Partitions of rag.queries and rag.responses, and stream threads of the query processor (default
     * {@code Topics.DEFAULT_QUERY_PARTITIONS}).
     */
    static final String ENV_QUERY_PARTITIONS = "STREAMRAG_QUERY_PARTITIONS";

    /** Configuration keys of the processors that the dev stack sets and the environment does not override. */
    private static final List<String> OWNED_KEYS = List.of(CommonOptions.BOOTSTRAP_SERVERS, CommonOptions.STATE_DIR,
            CommonOptions.HEALTH_PORT, CommonOptions.APPLICATION_ID, QueryProcessorConfig.INDEX_DIR,
            QueryProcessorConfig.NUM_STREAM_THREADS, GatewayConfig.HTTP_HOST, GatewayConfig.HTTP_PORT);

    private final Deque<AutoCloseable> parts = new ArrayDeque<>();
    /** Where the tuning variables ({@code STREAMRAG_*}, {@code REDIS_*}) are read from. */
    private final Map<String, String> env;
    private String bootstrapServers;
    private String redisUrl;
    private LocalRedis redis;
    private QueryProcessor query;
    private InvalidationProcessor invalidation;
    private Gateway gateway;

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
        int kafkaPort = settings.kafkaPort() == 0 ? FreePorts.pick() : settings.kafkaPort();
        int controllerPort = settings.controllerPort() == 0 ? FreePorts.pick() : settings.controllerPort();

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

        startCaches(dataDir);
        query = QueryProcessor.start(QueryProcessorConfig.load(Map.of(
                CommonOptions.BOOTSTRAP_SERVERS, bootstrapServers,
                CommonOptions.REDIS_URL, redisUrl,
                CommonOptions.STATE_DIR, dataDir.resolve("streams").toString(),
                CommonOptions.HEALTH_PORT, "0",
                QueryProcessorConfig.INDEX_DIR, indexDir.toString(),
                QueryProcessorConfig.EMBEDDING_MODEL, ingestSettings.embeddingModelId(),
                QueryProcessorConfig.NUM_STREAM_THREADS, Integer.toString(queryPartitions)), null,
                withoutOwnedKeys(env)));
        parts.push(query);

        awaitRunning(job, Duration.ofMinutes(2));
        query.awaitRunning(Duration.ofMinutes(2));
        invalidation.awaitRunning(Duration.ofMinutes(2));
        gateway = Gateway.start(GatewayConfig.load(Map.of(
                CommonOptions.BOOTSTRAP_SERVERS, bootstrapServers,
                CommonOptions.REDIS_URL, redisUrl,
                GatewayConfig.HTTP_HOST, "127.0.0.1",
                GatewayConfig.HTTP_PORT, Integer.toString(settings.gatewayPort())), null, withoutOwnedKeys(env)));
        parts.push(gateway);
        LOG.info("stack running: Kafka {}, index {}, topics {} -> {}", bootstrapServers, indexDir,
                Topics.DOCUMENTS.name(), Topics.RESPONSES.name());
    }

    /**
     * Redis (embedded unless {@code REDIS_URL} or {@code STREAMRAG_REDIS_URL} is set) and the invalidation processor,
     * which must run before queries are answered from caches.
     */
    private void startCaches(Path dataDir) throws IOException {
        Map<String, String> base = new HashMap<>(Map.of(
                CommonOptions.BOOTSTRAP_SERVERS, bootstrapServers,
                CommonOptions.STATE_DIR, dataDir.resolve("streams-invalidation").toString(),
                CommonOptions.HEALTH_PORT, "0"));
        InvalidationProcessorConfig config = InvalidationProcessorConfig.load(base, null, withoutOwnedKeys(env));
        if (config.originals().containsKey(CommonOptions.REDIS_URL)) {
            redisUrl = config.getString(CommonOptions.REDIS_URL);
        } else {
            redis = LocalRedis.start(FreePorts.pick(), dataDir.resolve("redis"));
            parts.push(redis);
            redisUrl = redis.url();
            base.put(CommonOptions.REDIS_URL, redisUrl);
            config = InvalidationProcessorConfig.load(base, null, withoutOwnedKeys(env));
        }
        invalidation = InvalidationProcessor.start(config);
        parts.push(invalidation);
    }

    /**
     * {@code env} without the variables of the keys the dev stack sets itself (where Kafka, the index and the state
     * directories are): it runs everything under its data directory.
     */
    private static Map<String, String> withoutOwnedKeys(Map<String, String> env) {
        Map<String, String> filtered = new HashMap<>(env);
        for (String key : OWNED_KEYS) {
            filtered.remove(ConfigSources.envName(key));
        }
        return filtered;
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


    /** The stack's own Redis, empty when {@code REDIS_URL} points at an external one. */
    public Optional<LocalRedis> redis() {
        return Optional.ofNullable(redis);
    }

    /** The caches the query processor uses (hit ratios per layer). */
    public RedisCaches caches() {
        return query.caches();
    }

    /** The invalidation processor (invalidation lag). */
    public InvalidationProcessor invalidation() {
        return invalidation;
    }

    /** The HTTP gateway's base URL, {@code http://127.0.0.1:PORT}. */
    public String gatewayUrl() {
        return "http://127.0.0.1:" + gateway.port();
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
