package io.streamrag.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamrag.core.store.CollectionProfile;
import io.streamrag.schemas.ControlEvent;
import io.streamrag.schemas.ControlType;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ConfiguredCollectionSettingsTest {
    private static final Instant NOW = Instant.ofEpochMilli(1_700_000_000_000L);
    private static final ConfiguredCollectionSettings CONFIGURED =
            new ConfiguredCollectionSettings(2, Map.of("big", 4), "model-a", 256, 32);

    private static CollectionProfile recorded(int shards, String model, int maxTokens, int overlap) {
        return new CollectionProfile(shards, 8, Optional.ofNullable(model),
                Optional.of(new CollectionProfile.Chunking(maxTokens, overlap)));
    }

    @Test
    void agreeingSettingsPublishNothing() {
        assertThat(CONFIGURED.changeFrom("docs", recorded(2, "model-a", 256, 32), NOW)).isEmpty();
        assertThat(CONFIGURED.changeFrom("big", recorded(4, "model-a", 256, 32), NOW)).isEmpty();
    }

    @Test
    void unrecordedModelAndChunkingAreNotChanges() {
        CollectionProfile old = new CollectionProfile(2, 8, Optional.empty(), Optional.empty());
        assertThat(CONFIGURED.changeFrom("docs", old, NOW)).isEmpty();
        assertThat(CONFIGURED.modelDiffers(old)).isFalse();
    }

    @Test
    void aShardOrChunkingChangeNamesOldAndNewValues() {
        ControlEvent event = CONFIGURED.changeFrom("big", recorded(2, "model-a", 128, 32), NOW).orElseThrow();

        assertThat(event.getCollection()).isEqualTo("big");
        assertThat(event.getType()).isEqualTo(ControlType.COLLECTION_SETTINGS_CHANGED);
        assertThat(event.getTime()).isEqualTo(NOW);
        assertThat(event.getSettings()).containsEntry("shards", "4").containsEntry("previous.shards", "2")
                .containsEntry("chunkMaxTokens", "256").containsEntry("previous.chunkMaxTokens", "128")
                .containsEntry("embeddingModel", "model-a").containsEntry("changed", "shards,chunkMaxTokens");
    }

    @Test
    void aModelChangeIsAnEmbeddingModelChange() {
        CollectionProfile other = recorded(2, "model-b", 256, 32);
        ControlEvent event = CONFIGURED.changeFrom("docs", other, NOW).orElseThrow();

        assertThat(CONFIGURED.modelDiffers(other)).isTrue();
        assertThat(event.getType()).isEqualTo(ControlType.EMBEDDING_MODEL_CHANGED);
        assertThat(event.getSettings()).containsEntry("embeddingModel", "model-a")
                .containsEntry("previous.embeddingModel", "model-b").containsEntry("changed", "embeddingModel");
    }

    @Test
    void validatesItsValuesNamingThem() {
        assertThatThrownBy(() -> new ConfiguredCollectionSettings(2, Map.of("big", 0), "m", 256, 32))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'big'").hasMessageContaining("got 0");
        assertThatThrownBy(() -> new ConfiguredCollectionSettings(0, Map.of(), "m", 256, 32))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("defaultShards must be > 0, got 0");
        assertThatThrownBy(() -> new ConfiguredCollectionSettings(2, Map.of(), "m", 32, 32))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 32");
    }
}
