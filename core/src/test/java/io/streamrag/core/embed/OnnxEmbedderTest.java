package io.streamrag.core.embed;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Builder validation; nothing here loads a model. */
class OnnxEmbedderTest {

    @Test
    void settingsAreValidatedNamingTheParameterAndValue() {
        OnnxEmbedder.Builder builder = OnnxEmbedder.builder(EmbeddingModel.BGE_SMALL_EN_V15_Q);
        assertThatThrownBy(() -> builder.intraOpThreads(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("intraOpThreads must be >= 1, got 0");
        assertThatThrownBy(() -> builder.interOpThreads(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("interOpThreads must be >= 1, got -1");
        assertThatThrownBy(() -> builder.batchSize(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("batchSize must be >= 1, got 0");
        assertThatThrownBy(() -> builder.concurrency(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("concurrency must be >= 1, got 0");
        assertThatThrownBy(() -> builder.maxTokens(513))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxTokens").hasMessageContaining("512").hasMessageContaining("513");
        assertThatThrownBy(() -> OnnxEmbedder.builder(null)).isInstanceOf(NullPointerException.class);
    }
}
