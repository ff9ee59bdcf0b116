package io.streamrag.query;

import io.streamrag.core.embed.EmbeddingModel;
import io.streamrag.core.query.HybridQueryEngine;
import io.streamrag.streams.CommonOptions;
import io.streamrag.streams.ConfigSources;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import io.streamrag.core.store.ElasticsearchVectorStore;
import io.streamrag.core.store.StoreSettings;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.types.Password;

/**
 * The configuration of a query processor process, every key declared once in {@link #DEFINITION} with its type,
 * default, check and documentation; read from a properties file and the environment by {@link ConfigSources}
 * ({@code STREAMRAG_<KEY>}; {@code kafka.*} keys pass through to the Kafka clients). {@code docs/deployment.md}
 * lists the keys ({@code streamrag query-processor --describe-config} prints them).
 *
 * <p>Immutable and thread-safe.
 */
public final class QueryProcessorConfig extends AbstractConfig {
    public static final String STORE = "store";
    public static final String INDEX_DIR = "index.dir";
    public static final String STORE_ELASTICSEARCH_HOSTS = "store.elasticsearch.hosts";
    public static final String STORE_ELASTICSEARCH_INDEX_PREFIX = "store.elasticsearch.index.prefix";
    public static final String EMBEDDING_MODEL = "embedding.model";
    public static final String EMBED_THREADS = "embed.threads";
    public static final String NUM_STREAM_THREADS = "num.stream.threads";
    public static final String COMMIT_INTERVAL_MS = "commit.interval.ms";
    public static final String SESSION_TIMEOUT_MS = "session.timeout.ms";
    public static final String MAX_QUESTION_CHARS = "max.question.chars";
    public static final String DEFAULT_TOP_K = "default.top.k";
    public static final String LLM_BASE_URL = "llm.base.url";
    public static final String LLM_MODEL = "llm.model";
    public static final String LLM_API_KEY = "llm.api.key";
    public static final String RERANKER = "reranker";
    public static final String RERANKER_MODEL_DIR = "reranker.model.dir";
    public static final String RERANKER_URL = "reranker.url";
    public static final String RERANK_DEPTH = "rerank.depth";

    /** The port of /health and /ready unless set. */
    public static final int DEFAULT_HEALTH_PORT = 8091;

    /** Reranker names of {@link #RERANKER}. */
    static final List<String> RERANKERS = List.of("none", "sentence-maxsim", "cross-encoder", "http");

    /** Environment variables accepted besides {@code STREAMRAG_<KEY>}, per key. */
    public static final Map<String, List<String>> ENV_ALIASES;

    static {
        Map<String, List<String>> aliases = new HashMap<>(CommonOptions.ENV_ALIASES);
        // the names the dev stack has read since its first release
        aliases.put(COMMIT_INTERVAL_MS, List.of("STREAMRAG_QUERY_COMMIT_INTERVAL_MS"));
        aliases.put(EMBED_THREADS, List.of("STREAMRAG_QUERY_EMBED_THREADS"));
        // as OpenAI's own clients read it
        aliases.put(LLM_API_KEY, List.of("OPENAI_API_KEY"));
        ENV_ALIASES = Map.copyOf(aliases);
    }

    public static final ConfigDef DEFINITION = CommonOptions.define(new ConfigDef(),
                    QueryStreamsSettings.DEFAULT_APPLICATION_ID, DEFAULT_HEALTH_PORT)
            .define(STORE, Type.STRING, StoreSettings.Kind.LUCENE.configName(), ValidString.in(storeNames()),
                    Importance.HIGH, "The store the ingest job writes, searched read-only: lucene (index.dir) or "
                            + "elasticsearch (store.elasticsearch.hosts).")
            .define(INDEX_DIR, Type.STRING, "", Importance.HIGH, "The Lucene shard directory the ingest job writes "
                    + "(the same path on this host, or a shared volume); required with store=lucene.")
            .define(STORE_ELASTICSEARCH_HOSTS, Type.LIST, List.of(), Importance.HIGH, "HTTP addresses of "
                    + "Elasticsearch nodes, http://host:9200, comma-separated; required with store=elasticsearch.")
            .define(STORE_ELASTICSEARCH_INDEX_PREFIX, Type.STRING, ElasticsearchVectorStore.DEFAULT_INDEX_PREFIX,
                    Importance.LOW, "Prefix of the Elasticsearch index names: the ingest job's.")
            .define(EMBEDDING_MODEL, Type.STRING, EmbeddingModel.DEFAULT.id(),
                    ValidString.in(modelIds()), Importance.HIGH,
                    "The model questions are embedded with: the one the ingest job embeds documents with.")
            .define(EMBED_THREADS, Type.INT, 1, Range.atLeast(1), Importance.LOW,
                    "ONNX Runtime threads per question embedding; stream threads already embed in parallel.")
            .define(NUM_STREAM_THREADS, Type.INT, QueryStreamsSettings.DEFAULT_NUM_STREAM_THREADS, Range.atLeast(1),
                    Importance.MEDIUM, "Questions this instance answers at once (each thread blocks on its LLM "
                            + "call); useful up to the partitions of rag.queries over all instances.")
            .define(COMMIT_INTERVAL_MS, Type.LONG, QueryStreamsSettings.DEFAULT_COMMIT_INTERVAL.toMillis(),
                    Range.atLeast(1), Importance.LOW, "Exactly-once commit interval: bounds the wait of answers "
                            + "faster than it (cache hits).")
            .define(SESSION_TIMEOUT_MS, Type.LONG, QueryStreamsSettings.DEFAULT_SESSION_TIMEOUT_MS,
                    Range.between(6_000, Integer.MAX_VALUE), Importance.LOW,
                    "How long a crashed instance's partitions go unanswered before the others take them over.")
            .define(MAX_QUESTION_CHARS, Type.INT, QueryStreamsSettings.DEFAULT_MAX_QUESTION_CHARS,
                    Range.atLeast(1), Importance.LOW, "Longer questions get an error response.")
            .define(DEFAULT_TOP_K, Type.INT, QueryStreamsSettings.DEFAULT_TOP_K, Range.atLeast(1), Importance.LOW,
                    "Citations per answer when a request does not say.")
            .define(LLM_BASE_URL, Type.LIST, List.of(), Importance.HIGH,
                    "OpenAI-compatible chat-completions endpoints (vLLM, Ollama, llama.cpp, OpenAI), comma-separated;"
                            + " several are replicas of one model, routed by cached prompt prefix (L4). Empty: "
                            + "extractive answers.")
            .define(LLM_MODEL, Type.STRING, "", Importance.HIGH, "The LLM's model name; required with "
                    + LLM_BASE_URL + ".")
            .define(LLM_API_KEY, Type.PASSWORD, "", Importance.MEDIUM, "The LLM's API key. Alias: OPENAI_API_KEY.")
            .define(RERANKER, Type.STRING, "none", ValidString.in(RERANKERS.toArray(String[]::new)),
                    Importance.MEDIUM, "none; sentence-maxsim (embedded, no extra model); cross-encoder (ONNX, needs "
                            + RERANKER_MODEL_DIR + "); http (a TEI/Jina/Cohere-style /rerank endpoint at "
                            + RERANKER_URL + ").")
            .define(RERANKER_MODEL_DIR, Type.STRING, "", Importance.LOW,
                    "Directory of the cross-encoder: model.onnx and tokenizer.json.")
            .define(RERANKER_URL, Type.STRING, "", Importance.LOW, "Base URL of the http reranker.")
            .define(RERANK_DEPTH, Type.INT, HybridQueryEngine.DEFAULT_RERANK_DEPTH, Range.atLeast(1),
                    Importance.LOW, "Fused candidates the reranker reorders per question.");

    /**
     * @param values raw values, as {@link #load} returns them
     * @throws org.apache.kafka.common.config.ConfigException naming the key and the bad value
     */
    public QueryProcessorConfig(Map<String, ?> values) {
        super(DEFINITION, values, false);
        if (!getList(LLM_BASE_URL).isEmpty() && getString(LLM_MODEL).isBlank()) {
            throw new IllegalArgumentException(LLM_BASE_URL + " is set but " + LLM_MODEL + " is not: name the "
                    + "model the endpoint serves");
        }
        switch (StoreSettings.Kind.fromConfigName(getString(STORE))) {
            case LUCENE -> {
                if (getString(INDEX_DIR).isBlank()) {
                    throw new IllegalArgumentException(STORE + "=lucene needs " + INDEX_DIR);
                }
            }
            case ELASTICSEARCH -> {
                if (getList(STORE_ELASTICSEARCH_HOSTS).isEmpty()) {
                    throw new IllegalArgumentException(STORE + "=elasticsearch needs " + STORE_ELASTICSEARCH_HOSTS);
                }
            }
        }
        storeSettings();
        switch (getString(RERANKER)) {
            case "cross-encoder" -> requireSet(RERANKER_MODEL_DIR);
            case "http" -> requireSet(RERANKER_URL);
            default -> { }
        }
    }

    /** Reads {@code file} (may be null) and then {@code env} over it. */
    public static QueryProcessorConfig load(Path file, Map<String, String> env) {
        return load(Map.of(), file, env);
    }

    /** Takes {@code base} values, then {@code file} (may be null) over them, then {@code env} over both. */
    public static QueryProcessorConfig load(Map<String, String> base, Path file, Map<String, String> env) {
        return new QueryProcessorConfig(ConfigSources.load(DEFINITION, base, file, env, ENV_ALIASES));
    }

    /** The Kafka Streams settings of these values. */
    public QueryStreamsSettings streamsSettings() {
        return QueryStreamsSettings.builder()
                .bootstrapServers(CommonOptions.bootstrapServers(this))
                .applicationId(getString(CommonOptions.APPLICATION_ID))
                .stateDir(Path.of(getString(CommonOptions.STATE_DIR)))
                .numStreamThreads(getInt(NUM_STREAM_THREADS))
                .commitInterval(Duration.ofMillis(getLong(COMMIT_INTERVAL_MS)))
                .sessionTimeout(Duration.ofMillis(getLong(SESSION_TIMEOUT_MS)))
                .maxQuestionChars(getInt(MAX_QUESTION_CHARS))
                .defaultTopK(getInt(DEFAULT_TOP_K))
                .clientProperties(ConfigSources.kafkaProperties(originals()))
                .build();
    }

    /**
     * The store to search, as {@link #STORE} and its keys say.
     *
     * @throws IllegalArgumentException naming the bad value
     */
    public StoreSettings storeSettings() {
        return switch (StoreSettings.Kind.fromConfigName(getString(STORE))) {
            case LUCENE -> StoreSettings.lucene(Path.of(getString(INDEX_DIR)));
            case ELASTICSEARCH -> StoreSettings.elasticsearch(getList(STORE_ELASTICSEARCH_HOSTS),
                    getString(STORE_ELASTICSEARCH_INDEX_PREFIX));
        };
    }

    /** The LLM's API key, or null. */
    String llmApiKey() {
        Password key = getPassword(LLM_API_KEY);
        return key == null || key.value().isBlank() ? null : key.value();
    }

    private void requireSet(String key) {
        if (getString(key).isBlank()) {
            throw new IllegalArgumentException(RERANKER + "=" + getString(RERANKER) + " needs " + key);
        }
    }

    private static String[] storeNames() {
        return java.util.Arrays.stream(StoreSettings.Kind.values()).map(StoreSettings.Kind::configName)
                .toArray(String[]::new);
    }

    private static String[] modelIds() {
        return java.util.Arrays.stream(EmbeddingModel.values()).map(EmbeddingModel::id).toArray(String[]::new);
    }
}
