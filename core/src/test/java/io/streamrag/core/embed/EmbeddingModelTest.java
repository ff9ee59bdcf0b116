package io.streamrag.core.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class EmbeddingModelTest {

    @Test
    void fromIdFindsEveryModelByItsId() {
        assertThat(EmbeddingModel.fromId("bge-small-en-v1.5")).isEqualTo(EmbeddingModel.BGE_SMALL_EN_V15);
        assertThat(EmbeddingModel.fromId("bge-small-en-v1.5-q")).isEqualTo(EmbeddingModel.BGE_SMALL_EN_V15_Q);
        for (EmbeddingModel model : EmbeddingModel.values()) {
            assertThat(EmbeddingModel.fromId(model.id())).isSameAs(model);
        }
    }

    @Test
    void fromIdNamesTheBadIdAndTheValidOnes() {
        assertThatThrownBy(() -> EmbeddingModel.fromId("bge-large"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'bge-large'")
                .hasMessageContaining("bge-small-en-v1.5, bge-small-en-v1.5-q");
    }

    @Test
    void bgeModelsDescribeTheirResourcesAndQueryInstruction() {
        EmbeddingModel q = EmbeddingModel.BGE_SMALL_EN_V15_Q;
        assertThat(q.onnxResource()).isEqualTo("bge-small-en-v1.5-q.onnx");
        assertThat(q.tokenizerResource()).isEqualTo("bge-small-en-v1.5-q-tokenizer.json");
        assertThat(q.dimension()).isEqualTo(384);
        assertThat(q.maxSequenceLength()).isEqualTo(512);
        assertThat(q.queryInstruction()).isEqualTo("Represent this sentence for searching relevant passages: ");
        assertThat(EmbeddingModel.BGE_SMALL_EN_V15.onnxResource()).isEqualTo("bge-small-en-v1.5.onnx");
        assertThat(EmbeddingModel.DEFAULT).isNotNull();
    }
}
