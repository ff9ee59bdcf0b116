package io.streamrag.core.store;

import java.util.Objects;
import java.util.Optional;

/**
 * The settings a collection was created with, as its writer recorded them: fixed for the collection's lifetime,
 * whatever later writers are configured with. Immutable.
 *
 * @param shards           number of shards documents are routed to by {@link ShardRouter}, > 0
 * @param dimension        vector dimension, > 0
 * @param embeddingModelId the embedding model whose vectors the collection holds; empty when the creating writer
 *                         did not say (collections created before models were recorded)
 * @param chunking         how documents were split into chunks; empty when the creating writer did not say
 */
public record CollectionProfile(int shards, int dimension, Optional<String> embeddingModelId,
                                Optional<Chunking> chunking) {

    public CollectionProfile {
        if (shards <= 0) {
            throw new IllegalArgumentException("shards must be > 0, got " + shards);
        }
        if (dimension <= 0) {
            throw new IllegalArgumentException("dimension must be > 0, got " + dimension);
        }
        Objects.requireNonNull(embeddingModelId, "embeddingModelId");
        Objects.requireNonNull(chunking, "chunking");
        embeddingModelId.ifPresent(id -> {
            if (id.isBlank()) {
                throw new IllegalArgumentException("embeddingModelId must not be blank, got '" + id + "'");
            }
        });
    }

    /**
     * Chunk size and overlap, in model tokens.
     *
     * @param maxTokens     chunk size, > 0
     * @param overlapTokens tokens shared by neighbouring chunks, in [0, maxTokens)
     */
    public record Chunking(int maxTokens, int overlapTokens) {
        public Chunking {
            if (maxTokens <= 0) {
                throw new IllegalArgumentException("chunk maxTokens must be > 0, got " + maxTokens);
            }
            if (overlapTokens < 0 || overlapTokens >= maxTokens) {
                throw new IllegalArgumentException("chunk overlapTokens must be in [0, " + maxTokens + "), got "
                        + overlapTokens);
            }
        }
    }
}
