package io.streamrag.core.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class EmbeddingDeviceTest {

    @Test
    void parsesIdsCaseInsensitively() {
        assertThat(EmbeddingDevice.fromId("cpu")).isEqualTo(EmbeddingDevice.CPU);
        assertThat(EmbeddingDevice.fromId("CUDA")).isEqualTo(EmbeddingDevice.CUDA);
    }

    @Test
    void rejectsUnknownIdsNamingTheValidOnes() {
        assertThatThrownBy(() -> EmbeddingDevice.fromId("tpu"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'tpu'")
                .hasMessageContaining("cpu, cuda");
    }
}
