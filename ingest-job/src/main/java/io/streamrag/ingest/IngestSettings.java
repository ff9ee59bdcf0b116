package io.streamrag.ingest;

import io.streamrag.core.embed.EmbeddingModel;
import io.streamrag.schemas.Topics;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.Objects;

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
 *   <tr><td>--index-dir</td><td>(required)</td><td>directory of the Lucene shards</td></tr>
 *   <tr><td>--shards</td><td>2</td><td>shards per collection</td></tr>
 *   <tr><td>--model</td><td>{@code EmbeddingModel.DEFAULT}</td><td>embedding model id</td></tr>
 *   <tr><td>--embed-threads</td><td>2</td><td>ONNX Runtime threads per embedder</td></tr>
 *   <tr><td>--chunk-max-tokens</td><td>256</td><td>chunk size in model tokens</td></tr>
 *   <tr><td>--chunk-overlap-tokens</td><td>32</td><td>tokens shared by neighbouring chunks, &lt; max tokens</td></tr>
 *   <tr><td>--commit-interval-ms</td><td>200</td><td>how long written documents may wait for a store commit</td></tr>
 *   <tr><td>--max-batch-documents</td><td>64</td><td>documents written before a commit is forced</td></tr>
 *   <tr><td>--checkpoint-interval-ms</td><td>5000</td><td>Flink checkpoint interval</td></tr>
 *   <tr><td>--start-from-earliest</td><td>true</td><td>where to start without committed offsets: earliest
 *       (true) or latest (false)</td></tr>
 * </table>
 */
public final class IngestSettings implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final String DEFAULT_BOOTSTRAP_SERVERS = "localhost:9092";
    public static final String DEFAULT_GROUP_ID = "streamrag-ingest";
    public static final int DEFAULT_SHARDS_PER_COLLECTION = 2;
    public static final int DEFAULT_EMBED_THREADS = 2;
    public static final int DEFAULT_CHUNK_MAX_TOKENS = 256;
    public static final int DEFAULT_CHUNK_OVERLAP_TOKENS = 32;
    public static final long DEFAULT_COMMIT_INTERVAL_MS = 200;
    public static final int DEFAULT_MAX_BATCH_DOCUMENTS = 64;
    public static final long DEFAULT_CHECKPOINT_INTERVAL_MS = 5000;

    private final String bootstrapServers;
    private final String documentsTopic;
    private final String indexChangesTopic;
    private final String groupId;
    // a String because java.nio.file.Path is not Serializable
    private final String indexDir;
    private final int shardsPerCollection;
    private final String embeddingModelId;
    private final int embedThreads;
    private final int chunkMaxTokens;
    private final int chunkOverlapTokens;
    private final long commitIntervalMs;
    private final int maxBatchDocuments;
    private final long checkpointIntervalMs;
    private final boolean startFromEarliest;

    private IngestSettings(Builder b) {
        this.bootstrapServers = b.bootstrapServers;
        this.documentsTopic = b.documentsTopic;
        this.indexChangesTopic = b.indexChangesTopic;
        this.groupId = b.groupId;
        this.indexDir = b.indexDir;
        this.shardsPerCollection = b.shardsPerCollection;
        this.embeddingModelId = b.embeddingModelId;
        this.embedThreads = b.embedThreads;
        this.chunkMaxTokens = b.chunkMaxTokens;
        this.chunkOverlapTokens = b.chunkOverlapTokens;
        this.commitIntervalMs = b.commitIntervalMs;
        this.maxBatchDocuments = b.maxBatchDocuments;
        this.checkpointIntervalMs = b.checkpointIntervalMs;
        this.startFromEarliest = b.startFromEarliest;
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
        b.indexDir = indexDir;
        b.shardsPerCollection = shardsPerCollection;
        b.embeddingModelId = embeddingModelId;
        b.embedThreads = embedThreads;
        b.chunkMaxTokens = chunkMaxTokens;
        b.chunkOverlapTokens = chunkOverlapTokens;
        b.commitIntervalMs = commitIntervalMs;
        b.maxBatchDocuments = maxBatchDocuments;
        b.checkpointIntervalMs = checkpointIntervalMs;
        b.startFromEarliest = startFromEarliest;
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
                    case "--index-dir" -> b.indexDir(Path.of(value));
                    case "--shards" -> b.shardsPerCollection(Integer.parseInt(value));
                    case "--model" -> b.embeddingModelId(value);
                    case "--embed-threads" -> b.embedThreads(Integer.parseInt(value));
                    case "--chunk-max-tokens" -> b.chunkMaxTokens(Integer.parseInt(value));
                    case "--chunk-overlap-tokens" -> b.chunkOverlapTokens(Integer.parseInt(value));
                    case "--commit-interval-ms" -> b.commitIntervalMs(Long.parseLong(value));
                    case "--max-batch-documents" -> b.maxBatchDocuments(Integer.parseInt(value));
                    case "--checkpoint-interval-ms" -> b.checkpointIntervalMs(Long.parseLong(value));
                    case "--start-from-earliest" -> b.startFromEarliest(parseBoolean(flag, value));
                    default -> throw new IllegalArgumentException("unknown option " + flag);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(flag + " must be a number, got '" + value + "'", e);
            }
        }
        return b.build();
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

    public Path indexDir() {
        return Path.of(indexDir);
    }

    public int shardsPerCollection() {
        return shardsPerCollection;
    }

    public String embeddingModelId() {
        return embeddingModelId;
    }

    public int embedThreads() {
        return embedThreads;
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

    @Override
    public String toString() {
        return "IngestSettings{bootstrapServers=" + bootstrapServers + ", documentsTopic=" + documentsTopic
                + ", indexChangesTopic=" + indexChangesTopic + ", groupId=" + groupId + ", indexDir=" + indexDir
                + ", shardsPerCollection=" + shardsPerCollection + ", embeddingModelId=" + embeddingModelId
                + ", embedThreads=" + embedThreads + ", chunkMaxTokens=" + chunkMaxTokens
                + ", chunkOverlapTokens=" + chunkOverlapTokens + ", commitIntervalMs=" + commitIntervalMs
                + ", maxBatchDocuments=" + maxBatchDocuments + ", checkpointIntervalMs=" + checkpointIntervalMs
                + ", startFromEarliest=" + startFromEarliest + "}";
    }

    /** Builds {@link IngestSettings}; not thread-safe. */
    public static final class Builder {
        private String bootstrapServers = DEFAULT_BOOTSTRAP_SERVERS;
        private String documentsTopic = Topics.DOCUMENTS.name();
        private String indexChangesTopic = Topics.INDEX_CHANGES.name();
        private String groupId = DEFAULT_GROUP_ID;
        private String indexDir;
        private int shardsPerCollection = DEFAULT_SHARDS_PER_COLLECTION;
        private String embeddingModelId = EmbeddingModel.DEFAULT.id();
        private int embedThreads = DEFAULT_EMBED_THREADS;
        private int chunkMaxTokens = DEFAULT_CHUNK_MAX_TOKENS;
        private int chunkOverlapTokens = DEFAULT_CHUNK_OVERLAP_TOKENS;
        private long commitIntervalMs = DEFAULT_COMMIT_INTERVAL_MS;
        private int maxBatchDocuments = DEFAULT_MAX_BATCH_DOCUMENTS;
        private long checkpointIntervalMs = DEFAULT_CHECKPOINT_INTERVAL_MS;
        private boolean startFromEarliest = true;

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

        /** The directory of the Lucene shards (created if missing); required. */
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

        /** ONNX Runtime threads (intra- and inter-op) per embedder, > 0; default {@value #DEFAULT_EMBED_THREADS}. */
        public Builder embedThreads(int embedThreads) {
            this.embedThreads = requirePositive("embedThreads", embedThreads);
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

        /** The Flink checkpoint interval, >= 10 ms; default {@value #DEFAULT_CHECKPOINT_INTERVAL_MS}. */
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
         * @throws IllegalArgumentException when indexDir is missing, chunkMaxTokens exceeds what the model takes,
         *                                  or chunkOverlapTokens >= chunkMaxTokens
         */
        public IngestSettings build() {
            if (indexDir == null) {
                throw new IllegalArgumentException("indexDir is required");
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

        private static long requirePositive(String name, long value) {
            if (value <= 0) {
                throw new IllegalArgumentException(name + " must be > 0, got " + value);
            }
            return value;
        }
    }
}
