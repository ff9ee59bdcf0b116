package io.streamrag.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamrag.core.embed.EmbeddingDevice;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The embedding options: micro-batch size, max wait, texts per model run, concurrent runs and device. */
class IngestSettingsEmbeddingTest {

    @Test
    void defaultsBatchAcrossDocumentsOnTheCpu() {
        IngestSettings s = IngestSettings.builder().indexDir(Path.of("/data/index")).build();

        assertThat(s.embedBatchChunks()).isEqualTo(32);
        assertThat(s.embedMaxWaitMs()).isEqualTo(50);
        assertThat(s.embedDevice()).isEqualTo(EmbeddingDevice.CPU);
        // the embedder picks per device: one text per run and a run per core on a CPU
        assertThat(s.embedBatchSize()).isEqualTo(IngestSettings.AUTO);
        assertThat(s.embedConcurrency()).isEqualTo(IngestSettings.AUTO);
        assertThat(s.embedThreads()).isEqualTo(1);
    }

    @Test
    void parsesTheFlagsAndKeepsThemInCopies() {
        IngestSettings s = IngestSettings.fromArgs(new String[] {"--index-dir", "/data/index",
                "--embed-batch-chunks", "64", "--embed-max-wait-ms=0", "--embed-device", "cuda",
                "--embed-batch-size", "16", "--embed-concurrency", "3"});

        assertThat(s.embedBatchChunks()).isEqualTo(64);
        assertThat(s.embedMaxWaitMs()).isZero();
        assertThat(s.embedDevice()).isEqualTo(EmbeddingDevice.CUDA);
        assertThat(s.toBuilder().build().embedDevice()).isEqualTo(EmbeddingDevice.CUDA);
        assertThat(s.toBuilder().build().embedBatchChunks()).isEqualTo(64);
        assertThat(s.embedBatchSize()).isEqualTo(16);
        assertThat(s.embedConcurrency()).isEqualTo(3);
        assertThat(s.toBuilder().build().embedBatchSize()).isEqualTo(16);
        assertThat(s.toBuilder().build().embedConcurrency()).isEqualTo(3);
        assertThat(s.toString()).contains("embedBatchChunks=64", "embedMaxWaitMs=0", "embedDevice=cuda",
                "embedBatchSize=16", "embedConcurrency=3");
    }

    @Test
    void rejectsBadValuesNamingTheOption() {
        IngestSettings.Builder b = IngestSettings.builder();
        assertThatThrownBy(() -> b.embedBatchChunks(0)).hasMessage("embedBatchChunks must be > 0, got 0");
        assertThatThrownBy(() -> b.embedMaxWaitMs(-1)).hasMessage("embedMaxWaitMs must be >= 0, got -1");
        assertThatThrownBy(() -> b.embedBatchSize(-1)).hasMessageContaining("embedBatchSize must be >= 0");
        assertThatThrownBy(() -> b.embedConcurrency(-2)).hasMessageContaining("embedConcurrency must be >= 0");
        assertThatThrownBy(() -> IngestSettings.fromArgs(new String[] {"--index-dir", "/x", "--embed-device", "tpu"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'tpu'");
    }
}
