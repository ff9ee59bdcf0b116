package io.streamrag.ingest;

import io.streamrag.core.embed.EmbeddingDevice;
import io.streamrag.core.embed.EmbeddingModel;
import io.streamrag.core.store.ElasticsearchVectorStore;
import io.streamrag.core.store.LuceneShardStore;
import io.streamrag.core.store.StoreSettings;
import io.streamrag.schemas.Topics;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Settings of the ingest job, declared once: each option's default, validation and command-line flag live
 * here.
 *
 * <p>Immutable and {@link Serializable} (it travels into the operators); build one with {@link #builder()}
 * or parse command-line flags with {@link #fromArgs(String[])}. Every setter validates its value and names
 * the option and the bad value in the exception; {@link Builder#build()} checks the rules between options.
 *
 * <table>
 *   <caption>Options</caption>
 *   <tr><th>flag</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>--bootstrap</td><td>localhost:9092</td><td>Kafka bootstrap servers</td></tr>
 *   <tr><td>--documents-topic</td><td>rag.documents</td><td>topic of {@code DocumentEvent}s read</td></tr>
 *   <tr><td>--index-changes-topic</td><td>rag.index-changes</td><td>topic the {@code IndexChange}s go to</td></tr>
 *   <tr><td>--group-id</td><td>streamrag-ingest</td><td>Kafka consumer group (offsets committed on checkpoints)</td></tr>
 *   <tr><td>--store</td><td>lucene</td><td>the store written: lucene (--index-dir) or elasticsearch
 *       (--store-elasticsearch-hosts)</td></tr>
 *   <tr><td>--index-dir</td><td>(required with lucene)</td><td>directory of the Lucene shards</td></tr>
 *   <tr><td>--store-elasticsearch-hosts</td><td>(required with elasticsearch)</td><td>HTTP addresses of the
 *       Elasticsearch nodes, {@code http://host:9200}, comma-separated</td></tr>
 *   <tr><td>--store-elasticsearch-index-prefix</td><td>streamrag-</td><td>prefix of the index names</td></tr>
 *   <tr><td>--store-elasticsearch-replicas</td><td>1</td><td>replicas of each shard of a new index</td></tr>
 *   <tr><td>--shards</td><td>2</td><td>shards per collection (Lucene shards, or an index's primary shards)</td></tr>
 *   <tr><td>--collection-shards</td><td>(none)</td><td>{@code name=N,name2=M}: shards of particular collections,
 *       overriding --shards; like it, used only when a collection is created</td></tr>
 *   <tr><td>--model</td><td>{@code EmbeddingModel.DEFAULT}</td><td>embedding model id</td></tr>
 *   <tr><td>--embed-threads</td><td>1</td><td>ONNX Runtime intra-op threads per model run</td></tr>
 *   <tr><td>--embed-batch-size</td><td>cpu: 1, cuda: 32</td><td>texts per model run (a run pads to its longest
 *       text; on a CPU one text per run is fastest, see docs/benchmarks.md)</td></tr>
 *   <tr><td>--embed-concurrency</td><td>cpu: the TaskManager's cores, cuda: 1</td><td>model runs at the same
 *       time per embedding subtask</td></tr>
 *   <tr><td>--embed-batch-chunks</td><td>32</td><td>the most chunks (of several documents) embedded in one call</td></tr>
 *   <tr><td>--embed-max-wait-ms</td><td>50</td><td>how long a document may wait for others to share its embedding
 *       call; 0: one call per document</td></tr>
 *   <tr><td>--embed-device</td><td>cpu</td><td>cpu or cuda (falls back to cpu with a warning where unusable)</td></tr>
 *   <tr><td>--chunk-max-tokens</td><td>256</td><td>chunk size in model tokens</td></tr>
 *   <tr><td>--chunk-overlap-tokens</td><td>32</td><td>tokens shared by neighbouring chunks, &lt; max tokens</td></tr>
 *   <tr><td>--commit-interval-ms</td><td>200</td><td>how long written documents may wait for a store commit</td></tr>
 *   <tr><td>--max-batch-documents</td><td>64</td><td>documents written before a commit is forced</td></tr>
 *   <tr><td>--checkpoint-interval-ms</td><td>1000</td><td>Flink checkpoint interval; bounds how long an
 *       announcement waits for its transaction to commit (see {@link Builder#checkpointIntervalMs})</td></tr>
 *   <tr><td>--checkpoint-dir</td><td>(none)</td><td>local directory of retained checkpoints; the job resumes from
 *       the newest one found there (see {@link RetainedCheckpoints})</td></tr>
 *   <tr><td>--transactional-id-prefix</td><td>streamrag-ingest</td><td>prefix of the Kafka transactional ids of
 *       the exactly-once sinks; unique per job on a Kafka cluster</td></tr>
 *   <tr><td>--tombstone-retention-ms</td><td>604800000 (7 days)</td><td>how long a delete keeps blocking older
 *       versions of its document (see {@link Builder#tombstoneRetentionMs})</td></tr>
 *   <tr><td>--max-text-bytes</td><td>5242880 (5 MiB)</td><td>UTF-8 size above which an upsert is dead-lettered</td></tr>
 *   <tr><td>--embed-attempts</td><td>3</td><td>embedding attempts per document before it is dead-lettered</td></tr>
 *   <tr><td>--embed-retry-backoff-ms</td><td>100</td><td>wait before the first embedding retry, doubled for each
 *       further one</td></tr>
 *   <tr><td>--start-from-earliest</td><td>true</td><td>where to start without committed offsets: earliest
 *       (true) or latest (false)</td></tr>
 * </table>
 */
public final class IngestSettings implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final String DEFAULT_BOOTSTRAP_SERVERS = "localhost:9092";
    public static final String DEFAULT_GROUP_ID = "streamrag-ingest";
    public static final int DEFAULT_SHARDS_PER_COLLECTION = 2;
    public static final int DEFAULT_EMBED_THREADS = 1;
    /**
     * {@link #embedBatchSize()} and {@link #embedConcurrency()} value meaning "the embedder's default for the
     * device" ({@code OnnxEmbedder}: on a CPU one text per run and a run per core, on a GPU runs of 32, one at a
     * time).
     */
    public static final int AUTO = 0;
    public static final int DEFAULT_EMBED_BATCH_CHUNKS = 32;
    public static final long DEFAULT_EMBED_MAX_WAIT_MS = 50;
    public static final int DEFAULT_CHUNK_MAX_TOKENS = 256;
    public static final int DEFAULT_CHUNK_OVERLAP_TOKENS = 32;
    public static final long DEFAULT_COMMIT_INTERVAL_MS = 200;
    public static final int DEFAULT_MAX_BATCH_DOCUMENTS = 64;
    public static final long DEFAULT_CHECKPOINT_INTERVAL_MS = 1000;
    public static final String DEFAULT_TRANSACTIONAL_ID_PREFIX = "streamrag-ingest";
    public static final long DEFAULT_TOMBSTONE_RETENTION_MS = 7L * 24 * 60 * 60 * 1000;
    public static final int DEFAULT_MAX_TEXT_BYTES = 5 * 1024 * 1024;
    public static final int DEFAULT_EMBED_ATTEMPTS = 3;
    public static final long DEFAULT_EMBED_RETRY_BACKOFF_MS = 100;

    private final String bootstrapServers;
    private final String documentsTopic;
    private final String indexChangesTopic;
    private final String groupId;
    private final StoreSettings.Kind store;
    // a String because java.nio.file.Path is not Serializable; null unless the store is Lucene
    private final String indexDir;
    /** Immutable (List.copyOf, which is Serializable); empty unless the store is Elasticsearch. */
    private final List<String> elasticsearchHosts;
    private final String elasticsearchIndexPrefix;
    private final int elasticsearchReplicas;
    private final int shardsPerCollection;
    /** Immutable (Map.copyOf, which is Serializable). */
    private final Map<String, Integer> collectionShards;
    private final String embeddingModelId;
    private final int embedThreads;
    private final int embedBatchSize;
    private final int embedConcurrency;
    private final int embedBatchChunks;
    private final long embedMaxWaitMs;
    private final EmbeddingDevice embedDevice;
    private final int chunkMaxTokens;
    private final int chunkOverlapTokens;
    private final long commitIntervalMs;
    private final int maxBatchDocuments;
    private final long checkpointIntervalMs;
    private final boolean startFromEarliest;
    // a String because java.nio.file.Path is not Serializable; null when checkpoints are not retained
    private final String checkpointDir;
    private final String transactionalIdPrefix;
    private final long tombstoneRetentionMs;
    private final int maxTextBytes;
    private final int embedAttempts;
    private final long embedRetryBackoffMs;

    private IngestSettings(Builder b) {
        this.bootstrapServers = b.bootstrapServers;
        this.documentsTopic = b.documentsTopic;
        this.indexChangesTopic = b.indexChangesTopic;
        this.groupId = b.groupId;
        this.store = b.store;
        this.indexDir = b.indexDir;
        this.elasticsearchHosts = List.copyOf(b.elasticsearchHosts);
        this.elasticsearchIndexPrefix = b.elasticsearchIndexPrefix;
        this.elasticsearchReplicas = b.elasticsearchReplicas;
        this.shardsPerCollection = b.shardsPerCollection;
        this.collectionShards = Map.copyOf(b.collectionShards);
        this.embeddingModelId = b.embeddingModelId;
        this.embedThreads = b.embedThreads;
        this.embedBatchSize = b.embedBatchSize;
        this.embedConcurrency = b.embedConcurrency;
        this.embedBatchChunks = b.embedBatchChunks;
        this.embedMaxWaitMs = b.embedMaxWaitMs;
        this.embedDevice = b.embedDevice;
        this.chunkMaxTokens = b.chunkMaxTokens;
        this.chunkOverlapTokens = b.chunkOverlapTokens;
        this.commitIntervalMs = b.commitIntervalMs;
        this.maxBatchDocuments = b.maxBatchDocuments;
        this.checkpointIntervalMs = b.checkpointIntervalMs;
        this.startFromEarliest = b.startFromEarliest;
        this.checkpointDir = b.checkpointDir;
        this.transactionalIdPrefix = b.transactionalIdPrefix;
        this.tombstoneRetentionMs = b.tombstoneRetentionMs;
        this.maxTextBytes = b.maxTextBytes;
        this.embedAttempts = b.embedAttempts;
        this.embedRetryBackoffMs = b.embedRetryBackoffMs;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these settings, to derive changed copies. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.bootstrapServers = bootstrapServers;
        b.documentsTopic = documentsTopic;
        b.indexChangesTopic = indexChangesTopic;
        b.groupId = groupId;
        b.store = store;
        b.indexDir = indexDir;
        b.elasticsearchHosts = elasticsearchHosts;
        b.elasticsearchIndexPrefix = elasticsearchIndexPrefix;
        b.elasticsearchReplicas = elasticsearchReplicas;
        b.shardsPerCollection = shardsPerCollection;
        b.collectionShards = new LinkedHashMap<>(collectionShards);
        b.embeddingModelId = embeddingModelId;
        b.embedThreads = embedThreads;
        b.embedBatchSize = embedBatchSize;
        b.embedConcurrency = embedConcurrency;
        b.embedBatchChunks = embedBatchChunks;
        b.embedMaxWaitMs = embedMaxWaitMs;
        b.embedDevice = embedDevice;
        b.chunkMaxTokens = chunkMaxTokens;
        b.chunkOverlapTokens = chunkOverlapTokens;
        b.commitIntervalMs = commitIntervalMs;
        b.maxBatchDocuments = maxBatchDocuments;
        b.checkpointIntervalMs = checkpointIntervalMs;
        b.startFromEarliest = startFromEarliest;
        b.checkpointDir = checkpointDir;
        b.transactionalIdPrefix = transactionalIdPrefix;
        b.tombstoneRetentionMs = tombstoneRetentionMs;
        b.maxTextBytes = maxTextBytes;
        b.embedAttempts = embedAttempts;
        b.embedRetryBackoffMs = embedRetryBackoffMs;
        return b;
    }

    /**
     * Parses {@code --flag value} pairs (see the table in the class comment; {@code --flag=value} also works).
     *
     * @throws IllegalArgumentException on an unknown flag, a flag without a value, a bad value, or a missing
     *                                  {@code --index-dir}; the message names the flag
     */
    public static IngestSettings fromArgs(String[] args) {
        Builder b = builder();
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            String value;
            int eq = flag.indexOf('=');
            if (flag.startsWith("--") && eq > 0) {
                value = flag.substring(eq + 1);
                flag = flag.substring(0, eq);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new IllegalArgumentException(flag + " needs a value");
            }
            try {
                switch (flag) {
                    case "--bootstrap" -> b.bootstrapServers(value);
                    case "--documents-topic" -> b.documentsTopic(value);
                    case "--index-changes-topic" -> b.indexChangesTopic(value);
                    case "--group-id" -> b.groupId(value);
                    case "--store" -> b.store(StoreSettings.Kind.fromConfigName(value));
                    case "--index-dir" -> b.indexDir(Path.of(value));
                    case "--store-elasticsearch-hosts" -> b.elasticsearchHosts(List.of(value.split(",", -1)));
                    case "--store-elasticsearch-index-prefix" -> b.elasticsearchIndexPrefix(value);
                    case "--store-elasticsearch-replicas" -> b.elasticsearchReplicas(Integer.parseInt(value));
                    case "--shards" -> b.shardsPerCollection(Integer.parseInt(value));
                    case "--collection-shards" -> b.collectionShards(parseCollectionShards(flag, value));
                    case "--model" -> b.embeddingModelId(value);
                    case "--embed-threads" -> b.embedThreads(Integer.parseInt(value));
                    case "--embed-batch-size" -> b.embedBatchSize(Integer.parseInt(value));
                    case "--embed-concurrency" -> b.embedConcurrency(Integer.parseInt(value));
                    case "--embed-batch-chunks" -> b.embedBatchChunks(Integer.parseInt(value));
                    case "--embed-max-wait-ms" -> b.embedMaxWaitMs(Long.parseLong(value));
                    case "--embed-device" -> b.embedDevice(EmbeddingDevice.fromId(value));
                    case "--chunk-max-tokens" -> b.chunkMaxTokens(Integer.parseInt(value));
                    case "--chunk-overlap-tokens" -> b.chunkOverlapTokens(Integer.parseInt(value));
                    case "--commit-interval-ms" -> b.commitIntervalMs(Long.parseLong(value));
                    case "--max-batch-documents" -> b.maxBatchDocuments(Integer.parseInt(value));
                    case "--checkpoint-interval-ms" -> b.checkpointIntervalMs(Long.parseLong(value));
                    case "--start-from-earliest" -> b.startFromEarliest(parseBoolean(flag, value));
                    case "--checkpoint-dir" -> b.checkpointDir(Path.of(value));
                    case "--transactional-id-prefix" -> b.transactionalIdPrefix(value);
                    case "--tombstone-retention-ms" -> b.tombstoneRetentionMs(Long.parseLong(value));
                    case "--max-text-bytes" -> b.maxTextBytes(Integer.parseInt(value));
                    case "--embed-attempts" -> b.embedAttempts(Integer.parseInt(value));
                    case "--embed-retry-backoff-ms" -> b.embedRetryBackoffMs(Long.parseLong(value));
                    default -> throw new IllegalArgumentException("unknown option " + flag);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(flag + " must be a number, got '" + value + "'", e);
            }
        }
        if (b.store == StoreSettings.Kind.LUCENE && b.indexDir == null) {
            throw new IllegalArgumentException("--index-dir is required with --store lucene: the directory of the "
                    + "Lucene shards");
        }
        if (b.store == StoreSettings.Kind.ELASTICSEARCH && b.elasticsearchHosts.isEmpty()) {
            throw new IllegalArgumentException("--store-elasticsearch-hosts is required with --store elasticsearch");
        }
        return b.build();
    }

    /**
     * Parses {@code name=N[,name2=M...]}; the exception names the flag and the bad entry. Every entry is
     * validated here, since {@link Builder#collectionShards} sees only the parsed map.
     */
    static Map<String, Integer> parseCollectionShards(String flag, String value) {
        Map<String, Integer> shards = new LinkedHashMap<>();
        for (String entry : value.split(",", -1)) {
            int eq = entry.indexOf('=');
            if (eq <= 0 || eq == entry.length() - 1) {
                throw new IllegalArgumentException(flag + " entries must be collection=shards, got '" + entry
                        + "' in '" + value + "'");
            }
            String collection = entry.substring(0, eq).trim();
            String count = entry.substring(eq + 1).trim();
            int n;
            try {
                n = Integer.parseInt(count);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(flag + " entry '" + entry + "': shards must be a number, got '"
                        + count + "'", e);
            }
            try {
                LuceneShardStore.requireValidCollectionName(collection);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(flag + " entry '" + entry + "': " + e.getMessage(), e);
            }
            if (n <= 0) {
                throw new IllegalArgumentException(flag + " entry '" + entry + "': shards must be > 0, got " + n);
            }
            if (shards.put(collection, n) != null) {
                throw new IllegalArgumentException(flag + " names collection '" + collection + "' twice in '"
                        + value + "'");
            }
        }
        return shards;
    }

    private static boolean parseBoolean(String flag, String value) {
        if ("true".equalsIgnoreCase(value)) {
            return true;
        }
        if ("false".equalsIgnoreCase(value)) {
            return false;
        }
        throw new IllegalArgumentException(flag + " must be true or false, got '" + value + "'");
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public String documentsTopic() {
        return documentsTopic;
    }

    public String indexChangesTopic() {
        return indexChangesTopic;
    }

    public String groupId() {
        return groupId;
    }

    /** The store the job writes. */
    public StoreSettings.Kind store() {
        return store;
    }

    /**
     * The directory of the Lucene shards.
     *
     * @throws IllegalStateException when the store is not Lucene
     */
    public Path indexDir() {
        if (indexDir == null) {
            throw new IllegalStateException("the job writes to " + store.configName() + ", not to an index directory");
        }
        return Path.of(indexDir);
    }

    /**
     * Where the store is, as readers open it too.
     *
     * @throws IllegalArgumentException naming a bad Elasticsearch host or prefix
     */
    public StoreSettings storeSettings() {
        return switch (store) {
            case LUCENE -> StoreSettings.lucene(indexDir());
            case ELASTICSEARCH -> StoreSettings.elasticsearch(elasticsearchHosts, elasticsearchIndexPrefix,
                    elasticsearchReplicas);
        };
    }

    public int shardsPerCollection() {
        return shardsPerCollection;
    }

    /** Shard counts of particular collections, overriding {@link #shardsPerCollection()}; immutable. */
    public Map<String, Integer> collectionShards() {
        return collectionShards;
    }

    public String embeddingModelId() {
        return embeddingModelId;
    }

    public int embedThreads() {
        return embedThreads;
    }

    /** Texts per model run, or {@link #AUTO} for the device's default. */
    public int embedBatchSize() {
        return embedBatchSize;
    }

    /** Model runs at the same time per embedding subtask, or {@link #AUTO} for the device's default. */
    public int embedConcurrency() {
        return embedConcurrency;
    }

    public int embedBatchChunks() {
        return embedBatchChunks;
    }

    public long embedMaxWaitMs() {
        return embedMaxWaitMs;
    }

    public EmbeddingDevice embedDevice() {
        return embedDevice;
    }

    public int chunkMaxTokens() {
        return chunkMaxTokens;
    }

    public int chunkOverlapTokens() {
        return chunkOverlapTokens;
    }

    public long commitIntervalMs() {
        return commitIntervalMs;
    }

    public int maxBatchDocuments() {
        return maxBatchDocuments;
    }

    public long checkpointIntervalMs() {
        return checkpointIntervalMs;
    }

    public boolean startFromEarliest() {
        return startFromEarliest;
    }

    /** The directory of retained checkpoints, or empty when checkpoints are not kept beyond the job. */
    public Optional<Path> checkpointDir() {
        return Optional.ofNullable(checkpointDir).map(Path::of);
    }

    public String transactionalIdPrefix() {
        return transactionalIdPrefix;
    }

    public long tombstoneRetentionMs() {
        return tombstoneRetentionMs;
    }

    public int maxTextBytes() {
        return maxTextBytes;
    }

    public int embedAttempts() {
        return embedAttempts;
    }

    public long embedRetryBackoffMs() {
        return embedRetryBackoffMs;
    }

    @Override
    public String toString() {
        return "IngestSettings{bootstrapServers=" + bootstrapServers + ", documentsTopic=" + documentsTopic
                + ", indexChangesTopic=" + indexChangesTopic + ", groupId=" + groupId + ", store=" + store.configName()
                + ", indexDir=" + indexDir + ", elasticsearchHosts=" + elasticsearchHosts
                + ", elasticsearchIndexPrefix=" + elasticsearchIndexPrefix
                + ", elasticsearchReplicas=" + elasticsearchReplicas
                + ", shardsPerCollection=" + shardsPerCollection
                + ", collectionShards=" + collectionShards + ", embeddingModelId=" + embeddingModelId
                + ", embedThreads=" + embedThreads + ", embedBatchSize=" + embedBatchSize
                + ", embedConcurrency=" + embedConcurrency + ", embedBatchChunks=" + embedBatchChunks
                + ", embedMaxWaitMs=" + embedMaxWaitMs + ", embedDevice=" + embedDevice.id()
                + ", chunkMaxTokens=" + chunkMaxTokens
                + ", chunkOverlapTokens=" + chunkOverlapTokens + ", commitIntervalMs=" + commitIntervalMs
                + ", maxBatchDocuments=" + maxBatchDocuments + ", checkpointIntervalMs=" + checkpointIntervalMs
                + ", startFromEarliest=" + startFromEarliest + ", checkpointDir=" + checkpointDir
                + ", transactionalIdPrefix=" + transactionalIdPrefix + ", tombstoneRetentionMs=" + tombstoneRetentionMs
                + ", maxTextBytes=" + maxTextBytes + ", embedAttempts=" + embedAttempts
                + ", embedRetryBackoffMs=" + embedRetryBackoffMs + "}";
    }

    /** Builds {@link IngestSettings}; not thread-safe. */
    public static final class Builder {
        private String bootstrapServers = DEFAULT_BOOTSTRAP_SERVERS;
        private String documentsTopic = Topics.DOCUMENTS.name();
        private String indexChangesTopic = Topics.INDEX_CHANGES.name();
        private String groupId = DEFAULT_GROUP_ID;
        private StoreSettings.Kind store = StoreSettings.Kind.LUCENE;
        private String indexDir;
        private List<String> elasticsearchHosts = List.of();
        private String elasticsearchIndexPrefix = ElasticsearchVectorStore.DEFAULT_INDEX_PREFIX;
        private int elasticsearchReplicas = ElasticsearchVectorStore.DEFAULT_REPLICAS;
        private int shardsPerCollection = DEFAULT_SHARDS_PER_COLLECTION;
        private Map<String, Integer> collectionShards = new LinkedHashMap<>();
        private String embeddingModelId = EmbeddingModel.DEFAULT.id();
        private int embedThreads = DEFAULT_EMBED_THREADS;
        private int embedBatchSize = AUTO;
        private int embedConcurrency = AUTO;
        private int embedBatchChunks = DEFAULT_EMBED_BATCH_CHUNKS;
        private long embedMaxWaitMs = DEFAULT_EMBED_MAX_WAIT_MS;
        private EmbeddingDevice embedDevice = EmbeddingDevice.CPU;
        private int chunkMaxTokens = DEFAULT_CHUNK_MAX_TOKENS;
        private int chunkOverlapTokens = DEFAULT_CHUNK_OVERLAP_TOKENS;
        private long commitIntervalMs = DEFAULT_COMMIT_INTERVAL_MS;
        private int maxBatchDocuments = DEFAULT_MAX_BATCH_DOCUMENTS;
        private long checkpointIntervalMs = DEFAULT_CHECKPOINT_INTERVAL_MS;
        private boolean startFromEarliest = true;
        private String checkpointDir;
        private String transactionalIdPrefix = DEFAULT_TRANSACTIONAL_ID_PREFIX;
        private long tombstoneRetentionMs = DEFAULT_TOMBSTONE_RETENTION_MS;
        private int maxTextBytes = DEFAULT_MAX_TEXT_BYTES;
        private int embedAttempts = DEFAULT_EMBED_ATTEMPTS;
        private long embedRetryBackoffMs = DEFAULT_EMBED_RETRY_BACKOFF_MS;

        private Builder() {
        }

        /** Kafka bootstrap servers, {@code host:port[,host:port...]}; default {@value #DEFAULT_BOOTSTRAP_SERVERS}. */
        public Builder bootstrapServers(String bootstrapServers) {
            this.bootstrapServers = requireText("bootstrapServers", bootstrapServers);
            return this;
        }

        /** The topic of document events; default {@code rag.documents}. */
        public Builder documentsTopic(String documentsTopic) {
            this.documentsTopic = requireText("documentsTopic", documentsTopic);
            return this;
        }

        /** The topic index changes are announced on; default {@code rag.index-changes}. */
        public Builder indexChangesTopic(String indexChangesTopic) {
            this.indexChangesTopic = requireText("indexChangesTopic", indexChangesTopic);
            return this;
        }

        /** The consumer group whose committed offsets say where to resume; default {@value #DEFAULT_GROUP_ID}. */
        public Builder groupId(String groupId) {
            this.groupId = requireText("groupId", groupId);
            return this;
        }

        /** The store written; default lucene. */
        public Builder store(StoreSettings.Kind store) {
            this.store = Objects.requireNonNull(store, "store");
            return this;
        }

        /** HTTP addresses of the Elasticsearch nodes, {@code http://host:9200}; required with elasticsearch. */
        public Builder elasticsearchHosts(List<String> hosts) {
            // checked by the store's builder, which names the bad value
            ElasticsearchVectorStore.builder().hosts(hosts);
            this.elasticsearchHosts = List.copyOf(hosts);
            return this;
        }

        /** Prefix of the Elasticsearch index names; default {@code streamrag-}. */
        public Builder elasticsearchIndexPrefix(String prefix) {
            ElasticsearchVectorStore.builder().indexPrefix(prefix);
            this.elasticsearchIndexPrefix = prefix;
            return this;
        }

        /** Replicas of each shard of an Elasticsearch index the job creates; default 1. */
        public Builder elasticsearchReplicas(int replicas) {
            ElasticsearchVectorStore.builder().replicas(replicas);
            this.elasticsearchReplicas = replicas;
            return this;
        }

        /** The directory of the Lucene shards (created if missing); required with the Lucene store. */
        public Builder indexDir(Path indexDir) {
            Objects.requireNonNull(indexDir, "indexDir");
            this.indexDir = indexDir.toAbsolutePath().normalize().toString();
            return this;
        }

        /** Shards per collection, > 0; default {@value #DEFAULT_SHARDS_PER_COLLECTION}. */
        public Builder shardsPerCollection(int shardsPerCollection) {
            this.shardsPerCollection = requirePositive("shardsPerCollection", shardsPerCollection);
            return this;
        }

        /**
         * Shards of particular collections, overriding {@link #shardsPerCollection(int)} for them; used only when
         * the collection is created (the recorded count wins afterwards). Default none.
         *
         * @throws IllegalArgumentException naming the entry, when a name is not a valid collection name or a
         *                                  count is not > 0
         */
        public Builder collectionShards(Map<String, Integer> collectionShards) {
            Objects.requireNonNull(collectionShards, "collectionShards");
            for (Map.Entry<String, Integer> e : collectionShards.entrySet()) {
                LuceneShardStore.requireValidCollectionName(e.getKey());
                if (e.getValue() == null || e.getValue() <= 0) {
                    throw new IllegalArgumentException("collectionShards of '" + e.getKey() + "' must be > 0, got "
                            + e.getValue());
                }
            }
            this.collectionShards = new LinkedHashMap<>(collectionShards);
            return this;
        }

        /** An {@link EmbeddingModel} id; default {@code EmbeddingModel.DEFAULT}'s. */
        public Builder embeddingModelId(String embeddingModelId) {
            requireText("embeddingModelId", embeddingModelId);
            try {
                EmbeddingModel.fromId(embeddingModelId);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("embeddingModelId is not a known model, got '"
                        + embeddingModelId + "': " + e.getMessage(), e);
            }
            this.embeddingModelId = embeddingModelId;
            return this;
        }

        /** ONNX Runtime intra-op threads per model run, > 0; default {@value #DEFAULT_EMBED_THREADS}. */
        public Builder embedThreads(int embedThreads) {
            this.embedThreads = requirePositive("embedThreads", embedThreads);
            return this;
        }

        /**
         * Texts per model run, >= 0; default {@link #AUTO}: 1 on a CPU, 32 on a GPU. A run pads to its longest text, and the quantized
         * models quantize activations per run, so on a CPU one text per run is both the fastest and the only
         * setting where a chunk's vector does not depend on its batch-mates (docs/benchmarks.md, Embedding).
         */
        public Builder embedBatchSize(int embedBatchSize) {
            this.embedBatchSize = requireNonNegative("embedBatchSize", embedBatchSize);
            return this;
        }

        /**
         * Model runs at the same time per embedding subtask (each on a thread of the embedder's own), >= 0;
         * default {@link #AUTO}: the TaskManager's available processors on a CPU, 1 on a GPU. Runs × intra-op
         * threads × embedding subtasks per TaskManager ≈ its cores.
         */
        public Builder embedConcurrency(int embedConcurrency) {
            this.embedConcurrency = requireNonNegative("embedConcurrency", embedConcurrency);
            return this;
        }

        /**
         * The most chunks embedded in one call, gathered from several documents (one document with more chunks is
         * one call), > 0; default {@value #DEFAULT_EMBED_BATCH_CHUNKS}.
         */
        public Builder embedBatchChunks(int embedBatchChunks) {
            this.embedBatchChunks = requirePositive("embedBatchChunks", embedBatchChunks);
            return this;
        }

        /**
         * How long a document may wait for others to share its embedding call, >= 0 (0: one call per document, no
         * waiting); default {@value #DEFAULT_EMBED_MAX_WAIT_MS}. Under load batches fill from queued input without
         * waiting; this bounds the latency added when input is sparse.
         */
        public Builder embedMaxWaitMs(long embedMaxWaitMs) {
            if (embedMaxWaitMs < 0) {
                throw new IllegalArgumentException("embedMaxWaitMs must be >= 0, got " + embedMaxWaitMs);
            }
            this.embedMaxWaitMs = embedMaxWaitMs;
            return this;
        }

        /** Where the embedding model runs; default cpu. cuda falls back to cpu, with a warning, where unusable. */
        public Builder embedDevice(EmbeddingDevice embedDevice) {
            this.embedDevice = Objects.requireNonNull(embedDevice, "embedDevice");
            return this;
        }

        /** Chunk size in model tokens, > 0; default {@value #DEFAULT_CHUNK_MAX_TOKENS}. */
        public Builder chunkMaxTokens(int chunkMaxTokens) {
            this.chunkMaxTokens = requirePositive("chunkMaxTokens", chunkMaxTokens);
            return this;
        }

        /** Tokens shared by neighbouring chunks, >= 0 and < chunkMaxTokens; default {@value #DEFAULT_CHUNK_OVERLAP_TOKENS}. */
        public Builder chunkOverlapTokens(int chunkOverlapTokens) {
            if (chunkOverlapTokens < 0) {
                throw new IllegalArgumentException("chunkOverlapTokens must be >= 0, got " + chunkOverlapTokens);
            }
            this.chunkOverlapTokens = chunkOverlapTokens;
            return this;
        }

        /**
         * How long written documents may wait before a store commit makes them visible (and they are
         * announced), > 0; default {@value #DEFAULT_COMMIT_INTERVAL_MS}.
         */
        public Builder commitIntervalMs(long commitIntervalMs) {
            this.commitIntervalMs = requirePositive("commitIntervalMs", commitIntervalMs);
            return this;
        }

        /** Written documents that force a commit before the interval is up, > 0; default {@value #DEFAULT_MAX_BATCH_DOCUMENTS}. */
        public Builder maxBatchDocuments(int maxBatchDocuments) {
            this.maxBatchDocuments = requirePositive("maxBatchDocuments", maxBatchDocuments);
            return this;
        }

        /**
         * The Flink checkpoint interval, >= 10 ms; default {@value #DEFAULT_CHECKPOINT_INTERVAL_MS}.
         *
         * <p>Why 1 s: the {@code IndexChange} sink is exactly-once, so announcements become visible to
         * {@code read_committed} readers only when the checkpoint after them completes. An announcement waits for
         * the store commit (at most {@link #commitIntervalMs}, or the next barrier), then for the next checkpoint
         * (up to one interval, half on average) and its completion (tens to a few hundred ms on a loaded machine
         * for this job's small state). Measured with {@code streamrag dev} on 2 shared, busy cores, one document per
         * {@code submit --wait}: event to store commit p50 ≈ 0.8 s, submit to announcement visible p50 ≈ 1.6 s,
         * worst of 25 ≈ 2.3 s after warm-up; so 1 s keeps freshness near the 2 s p99 target, and longer intervals
         * miss it. Shorter intervals cut the wait further but each checkpoint snapshots the whole version-guard
         * state (a full snapshot with the default heap state backend: it grows with the number of documents) and
         * commits a Kafka transaction per sink; go lower only with a small corpus or incremental checkpoints.
         */
        public Builder checkpointIntervalMs(long checkpointIntervalMs) {
            // Flink rejects intervals below 10 ms
            if (checkpointIntervalMs < 10) {
                throw new IllegalArgumentException("checkpointIntervalMs must be >= 10, got " + checkpointIntervalMs);
            }
            this.checkpointIntervalMs = checkpointIntervalMs;
            return this;
        }

        /** Without committed offsets for the group: read from the earliest (true) or latest (false) offset; default true. */
        public Builder startFromEarliest(boolean startFromEarliest) {
            this.startFromEarliest = startFromEarliest;
            return this;
        }

        /**
         * A local directory for checkpoints that outlive the job (retained on cancellation and failure); on start
         * the job resumes from the newest complete checkpoint found there. Default none: checkpoints are only
         * used for failover within one run, and a new run starts from the group's committed offsets with an
         * empty version guard.
         */
        public Builder checkpointDir(Path checkpointDir) {
            Objects.requireNonNull(checkpointDir, "checkpointDir");
            this.checkpointDir = checkpointDir.toAbsolutePath().normalize().toString();
            return this;
        }

        /**
         * Prefix of the Kafka transactional ids of the exactly-once sinks (suffixed per sink); must be unique per
         * job on a Kafka cluster; default {@value #DEFAULT_TRANSACTIONAL_ID_PREFIX}.
         */
        public Builder transactionalIdPrefix(String transactionalIdPrefix) {
            this.transactionalIdPrefix = requireText("transactionalIdPrefix", transactionalIdPrefix);
            return this;
        }

        /**
         * How long, in processing time, the version guard remembers a delete, > 0; default 7 days.
         *
         * <p>While remembered, an upsert with a version at or below the delete's is dropped, so a late older
         * event cannot resurrect the document. After the retention the document's state is freed and such a
         * late older upsert would be indexed again: choose a retention longer than any event can arrive late
         * (producer retries, re-drives from the DLQ, replays of partial ranges of the log).
         */
        public Builder tombstoneRetentionMs(long tombstoneRetentionMs) {
            this.tombstoneRetentionMs = requirePositive("tombstoneRetentionMs", tombstoneRetentionMs);
            return this;
        }

        /** The UTF-8 size of an upsert's text above which it is dead-lettered, > 0; default 5 MiB. */
        public Builder maxTextBytes(int maxTextBytes) {
            this.maxTextBytes = requirePositive("maxTextBytes", maxTextBytes);
            return this;
        }

        /** Embedding attempts per document (the first try included) before it is dead-lettered, > 0; default {@value #DEFAULT_EMBED_ATTEMPTS}. */
        public Builder embedAttempts(int embedAttempts) {
            this.embedAttempts = requirePositive("embedAttempts", embedAttempts);
            return this;
        }

        /** Wait before the first embedding retry, doubled for each further one, >= 0; default {@value #DEFAULT_EMBED_RETRY_BACKOFF_MS}. */
        public Builder embedRetryBackoffMs(long embedRetryBackoffMs) {
            if (embedRetryBackoffMs < 0) {
                throw new IllegalArgumentException("embedRetryBackoffMs must be >= 0, got " + embedRetryBackoffMs);
            }
            this.embedRetryBackoffMs = embedRetryBackoffMs;
            return this;
        }

        /**
         * @throws IllegalArgumentException when the store's location (indexDir or elasticsearchHosts) is missing, chunkMaxTokens exceeds what the model takes,
         *                                  or chunkOverlapTokens >= chunkMaxTokens
         */
        public IngestSettings build() {
            if (store == StoreSettings.Kind.LUCENE && indexDir == null) {
                throw new IllegalArgumentException("indexDir is required with the Lucene store");
            }
            if (store == StoreSettings.Kind.ELASTICSEARCH && elasticsearchHosts.isEmpty()) {
                throw new IllegalArgumentException("elasticsearchHosts are required with the Elasticsearch store");
            }
            // The embedder adds special tokens ([CLS], [SEP]) and truncates beyond the model's limit.
            int modelLimit = EmbeddingModel.fromId(embeddingModelId).maxSequenceLength() - 2;
            if (chunkMaxTokens > modelLimit) {
                throw new IllegalArgumentException("chunkMaxTokens must be <= " + modelLimit + " for "
                        + embeddingModelId + ", got " + chunkMaxTokens);
            }
            if (chunkOverlapTokens >= chunkMaxTokens) {
                throw new IllegalArgumentException("chunkOverlapTokens must be < chunkMaxTokens (" + chunkMaxTokens
                        + "), got " + chunkOverlapTokens);
            }
            return new IngestSettings(this);
        }

        private static String requireText(String name, String value) {
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException(name + " must not be blank, got '" + value + "'");
            }
            return value;
        }

        private static int requirePositive(String name, int value) {
            if (value <= 0) {
                throw new IllegalArgumentException(name + " must be > 0, got " + value);
            }
            return value;
        }

        private static int requireNonNegative(String name, int value) {
            if (value < 0) {
                throw new IllegalArgumentException(name + " must be >= 0 (0: the device's default), got " + value);
            }
            return value;
        }

        private static long requirePositive(String name, long value) {
            if (value <= 0) {
                throw new IllegalArgumentException(name + " must be > 0, got " + value);
            }
            return value;
        }
    }
}
