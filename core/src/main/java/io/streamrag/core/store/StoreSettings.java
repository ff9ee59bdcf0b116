package io.streamrag.core.store;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Which {@link VectorStore} a process reads and how to reach it: the one place where a configured store kind
 * becomes a store, so that the query processors, {@code eval} and any other reader open the store the same way.
 * Immutable and serializable (it may travel into a job's operators).
 *
 * <ul>
 *   <li>{@link Kind#LUCENE}: the embedded {@link LuceneShardStore} over a directory the ingest job writes;</li>
 *   <li>{@link Kind#ELASTICSEARCH}: {@link ElasticsearchVectorStore} on a cluster's HTTP addresses, indices named
 *       with a prefix.</li>
 * </ul>
 */
public final class StoreSettings implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The store implementations, by their configuration name ({@code store=lucene|elasticsearch}). */
    public enum Kind {
        LUCENE, ELASTICSEARCH;

        /** The configuration name: lower case. */
        public String configName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /**
         * The kind named {@code name} in configuration.
         *
         * @throws IllegalArgumentException naming the value and the choices
         */
        public static Kind fromConfigName(String name) {
            for (Kind kind : values()) {
                if (kind.configName().equals(name)) {
                    return kind;
                }
            }
            throw new IllegalArgumentException("store must be one of " + List.of("lucene", "elasticsearch")
                    + ", got '" + name + "'");
        }
    }

    private final Kind kind;
    /** A String because java.nio.file.Path is not Serializable; null unless LUCENE. */
    private final String indexDir;
    private final List<String> hosts;
    private final String indexPrefix;
    private final int replicas;

    private StoreSettings(Kind kind, String indexDir, List<String> hosts, String indexPrefix, int replicas) {
        this.kind = kind;
        this.indexDir = indexDir;
        this.hosts = List.copyOf(hosts);
        this.indexPrefix = indexPrefix;
        this.replicas = replicas;
    }

    /** The Lucene shard directory {@code indexDir}. */
    public static StoreSettings lucene(Path indexDir) {
        return new StoreSettings(Kind.LUCENE, Objects.requireNonNull(indexDir, "indexDir").toString(), List.of(),
                null, 0);
    }

    /**
     * An Elasticsearch cluster.
     *
     * @param hosts       HTTP addresses of its nodes, {@code http://host:port}, at least one
     * @param indexPrefix prefix of the index names, as the writer was configured
     * @throws IllegalArgumentException naming the bad value
     */
    public static StoreSettings elasticsearch(List<String> hosts, String indexPrefix) {
        return elasticsearch(hosts, indexPrefix, ElasticsearchVectorStore.DEFAULT_REPLICAS);
    }

    /**
     * An Elasticsearch cluster, for a writer too.
     *
     * @param hosts       HTTP addresses of its nodes, {@code http://host:port}, at least one
     * @param indexPrefix prefix of the index names
     * @param replicas    replicas of each shard of an index a writer creates
     * @throws IllegalArgumentException naming the bad value
     */
    public static StoreSettings elasticsearch(List<String> hosts, String indexPrefix, int replicas) {
        // the builder checks each, naming the bad value; failing here, not when a store opens
        ElasticsearchVectorStore.builder().hosts(hosts).indexPrefix(indexPrefix).replicas(replicas);
        return new StoreSettings(Kind.ELASTICSEARCH, null, hosts, indexPrefix, replicas);
    }

    public Kind kind() {
        return kind;
    }

    /**
     * Opens a store that only searches, for vectors of {@code dimension} (the embedding model's); the caller owns
     * and closes it.
     */
    public VectorStore openReader(int dimension) {
        return switch (kind) {
            case LUCENE -> LuceneShardStore.builder().dataDir(Path.of(indexDir)).dimension(dimension).readOnly(true)
                    .build();
            case ELASTICSEARCH -> ElasticsearchVectorStore.builder().hosts(hosts).indexPrefix(indexPrefix)
                    .dimension(dimension).readOnly(true).build();
        };
    }

    /**
     * A builder of a writer of the Elasticsearch store, with the cluster, index prefix and replicas set; the caller
     * adds what the collections it creates record (dimension, shards, model, chunking). Lucene writers each own a
     * share of the shards and are opened by the ingest job with that share.
     *
     * @throws IllegalStateException when the store is not Elasticsearch
     */
    public ElasticsearchVectorStore.Builder elasticsearchWriter() {
        if (kind != Kind.ELASTICSEARCH) {
            throw new IllegalStateException("not an Elasticsearch store: " + this);
        }
        return ElasticsearchVectorStore.builder().hosts(hosts).indexPrefix(indexPrefix).replicas(replicas);
    }

    /** Where the store is, for log lines and messages. */
    @Override
    public String toString() {
        return switch (kind) {
            case LUCENE -> Path.of(indexDir).toAbsolutePath() + " (Lucene)";
            case ELASTICSEARCH -> String.join(",", hosts) + " (Elasticsearch, indices " + indexPrefix + "*)";
        };
    }
}
