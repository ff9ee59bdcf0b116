package io.streamrag.core.rerank;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The model-directory checks of {@link CrossEncoderReranker}, which run before any native code is loaded. */
class CrossEncoderRerankerTest {
    @TempDir
    Path dir;

    @Test
    void aMissingDirectoryIsNamed() {
        Path absent = dir.resolve("no-such-model");
        assertThatThrownBy(() -> CrossEncoderReranker.builder(absent))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(absent.toString())
                .hasMessageContaining("does not exist or is not a directory");
    }

    @Test
    void missingFilesAreNamed() throws IOException {
        assertThatThrownBy(() -> CrossEncoderReranker.builder(dir))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lacks model.onnx and tokenizer.json");

        Files.writeString(dir.resolve("model.onnx"), "not really a model");
        assertThatThrownBy(() -> CrossEncoderReranker.builder(dir))
                .hasMessageContaining("lacks tokenizer.json:")
                .hasMessageNotContaining("lacks model.onnx");

        Files.delete(dir.resolve("model.onnx"));
        Files.writeString(dir.resolve("tokenizer.json"), "{}");
        assertThatThrownBy(() -> CrossEncoderReranker.builder(dir))
                .hasMessageContaining("lacks model.onnx:");
    }

    @Test
    void aCompleteDirectoryPassesValidationAndSettingsAreChecked() throws IOException {
        Files.writeString(dir.resolve("model.onnx"), "x");
        Files.writeString(dir.resolve("tokenizer.json"), "{}");
        assertThatCode(() -> CrossEncoderReranker.validateModelDir(dir)).doesNotThrowAnyException();
        assertThatThrownBy(() -> CrossEncoderReranker.builder(dir).batchSize(0))
                .hasMessage("batchSize must be >= 1, got 0");
        assertThatThrownBy(() -> CrossEncoderReranker.builder(dir).maxTokens(4))
                .hasMessage("maxTokens must be >= 8, got 4");
    }
}
