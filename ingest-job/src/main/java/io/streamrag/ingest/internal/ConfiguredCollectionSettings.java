package io.streamrag.ingest.internal;

import io.streamrag.core.store.CollectionProfile;
import io.streamrag.core.store.LuceneShardStore;
import io.streamrag.schemas.ControlEvent;
import io.streamrag.schemas.ControlType;
import java.io.Serializable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The collection settings this job is configured with: what it records when it creates a collection, and what
 * it compares with the settings recorded by whoever created an existing one. Immutable and serializable.
 *
 * <p>{@link #changeFrom} describes a difference as a {@link ControlEvent}: its {@code settings} map holds this
 * job's values under {@value #SHARDS}, {@value #MODEL}, {@value #CHUNK_MAX_TOKENS} and
 * {@value #CHUNK_OVERLAP_TOKENS}, the recorded ones under the same keys prefixed with {@value #PREVIOUS_PREFIX}
 * (where recorded), and the names of the differing keys, comma-separated, under {@value #CHANGED}. A recorded
 * value that is absent (collections created before models and chunking were recorded) never counts as a change.
 *
 * @param defaultShards      shards of a new collection without an override, > 0
 * @param shardOverrides     shards of particular new collections, each > 0
 * @param embeddingModelId   the model the job embeds with
 * @param chunkMaxTokens     chunk size the job splits with
 * @param chunkOverlapTokens chunk overlap the job splits with
 */
public record ConfiguredCollectionSettings(int defaultShards, Map<String, Integer> shardOverrides,
                                           String embeddingModelId, int chunkMaxTokens, int chunkOverlapTokens)
        implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final String SHARDS = "shards";
    public static final String MODEL = "embeddingModel";
    public static final String CHUNK_MAX_TOKENS = "chunkMaxTokens";
    public static final String CHUNK_OVERLAP_TOKENS = "chunkOverlapTokens";
    public static final String PREVIOUS_PREFIX = "previous.";
    public static final String CHANGED = "changed";

    public ConfiguredCollectionSettings {
        if (defaultShards <= 0) {
            throw new IllegalArgumentException("defaultShards must be > 0, got " + defaultShards);
        }
        // Map.copyOf is Serializable and rejects null keys and values
        shardOverrides = Map.copyOf(Objects.requireNonNull(shardOverrides, "shardOverrides"));
        shardOverrides.forEach((collection, shards) -> {
            LuceneShardStore.requireValidCollectionName(collection);
            if (shards <= 0) {
                throw new IllegalArgumentException("shards of collection '" + collection + "' must be > 0, got "
                        + shards);
            }
        });
        Objects.requireNonNull(embeddingModelId, "embeddingModelId");
        // validates the chunking, naming the bad value
        new CollectionProfile.Chunking(chunkMaxTokens, chunkOverlapTokens);
    }

    /** The shard count this job gives {@code collection} when it creates it. */
    public int shardsFor(String collection) {
        return shardOverrides.getOrDefault(collection, defaultShards);
    }

    public CollectionProfile.Chunking chunking() {
        return new CollectionProfile.Chunking(chunkMaxTokens, chunkOverlapTokens);
    }

    /** Whether {@code recorded} names another embedding model than this job's (false when none is recorded). */
    public boolean modelDiffers(CollectionProfile recorded) {
        return recorded.embeddingModelId().filter(model -> !model.equals(embeddingModelId)).isPresent();
    }

    /**
     * The event announcing that this job's settings for {@code collection} differ from {@code recorded}, or empty
     * when they agree: {@code EMBEDDING_MODEL_CHANGED} when the model differs, else
     * {@code COLLECTION_SETTINGS_CHANGED}.
     */
    public Optional<ControlEvent> changeFrom(String collection, CollectionProfile recorded, Instant time) {
        Objects.requireNonNull(collection, "collection");
        Objects.requireNonNull(recorded, "recorded");
        Objects.requireNonNull(time, "time");
        Map<String, String> settings = new TreeMap<>();
        List<String> changed = new ArrayList<>();
        compare(settings, changed, SHARDS, Optional.of(String.valueOf(recorded.shards())),
                String.valueOf(shardsFor(collection)));
        compare(settings, changed, MODEL, recorded.embeddingModelId(), embeddingModelId);
        compare(settings, changed, CHUNK_MAX_TOKENS,
                recorded.chunking().map(c -> String.valueOf(c.maxTokens())), String.valueOf(chunkMaxTokens));
        compare(settings, changed, CHUNK_OVERLAP_TOKENS,
                recorded.chunking().map(c -> String.valueOf(c.overlapTokens())), String.valueOf(chunkOverlapTokens));
        if (changed.isEmpty()) {
            return Optional.empty();
        }
        settings.put(CHANGED, String.join(",", changed));
        return Optional.of(ControlEvent.newBuilder()
                .setCollection(collection)
                .setType(modelDiffers(recorded) ? ControlType.EMBEDDING_MODEL_CHANGED
                        : ControlType.COLLECTION_SETTINGS_CHANGED)
                .setSettings(new TreeMap<>(settings))
                .setTime(time)
                .build());
    }

    private static void compare(Map<String, String> settings, List<String> changed, String key,
                                Optional<String> recorded, String configured) {
        settings.put(key, configured);
        recorded.ifPresent(value -> {
            settings.put(PREVIOUS_PREFIX + key, value);
            if (!value.equals(configured)) {
                changed.add(key);
            }
        });
    }
}
