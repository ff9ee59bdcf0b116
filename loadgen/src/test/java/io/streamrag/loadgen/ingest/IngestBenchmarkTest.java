package io.streamrag.loadgen.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamrag.core.embed.EmbeddingDevice;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The benchmark's own logic: how part (a) groups chunks into calls, and its options. */
class IngestBenchmarkTest {

    @Test
    void batchesGroupWholeDocumentsUpToTheLimitLikeTheOperator() {
        List<List<String>> perDoc = List.of(List.of("a1", "a2"), List.of("b1"), List.of("c1", "c2"),
                List.of("d1", "d2", "d3", "d4", "d5"), List.of("e1"));

        assertThat(EmbedderThroughput.batches(perDoc, 3)).containsExactly(
                List.of("a1", "a2", "b1"),            // full
                List.of("c1", "c2"),                  // d would not fit: c goes alone, d is never split
                List.of("d1", "d2", "d3", "d4", "d5"), // larger than the limit: one call
                List.of("e1"));
    }

    @Test
    void parsesOptionsWithDefaultsAndRejectsUnknownOnes() {
        IngestBenchmark.Options o = IngestBenchmark.Options.parse(new String[] {"--docs", "50", "--device", "cuda",
                "--embed-only"});
        assertThat(o.docs()).isEqualTo(50);
        assertThat(o.device()).isEqualTo(EmbeddingDevice.CUDA);
        assertThat(o.embedOnly()).isTrue();
        assertThat(o.load()).isEqualTo(0.7);
        assertThat(o.checkpointIntervalMs()).isEqualTo(1000);

        assertThatThrownBy(() -> IngestBenchmark.Options.parse(new String[] {"--dosc", "5"}))
                .hasMessageContaining("unknown option --dosc");
        assertThatThrownBy(() -> IngestBenchmark.Options.parse(new String[] {"--load", "1.5"}))
                .hasMessageContaining("load");
    }

    @Test
    void parsesTheParallelismsToCompare() {
        assertThat(IngestBenchmark.Options.parse(new String[] {}).parallelisms()).isEmpty();
        assertThat(IngestBenchmark.Options.parse(new String[] {"--parallelisms", "1, 2,1"}).parallelisms())
                .containsExactly(1, 2, 1);
        assertThatThrownBy(() -> IngestBenchmark.Options.parse(new String[] {"--parallelisms", "1,0"}))
                .hasMessageContaining("parallelisms");
        assertThatThrownBy(() -> IngestBenchmark.Options.parse(new String[] {"--parallelisms", "1,two"}))
                .hasMessageContaining("not a number");
    }
}
