package io.streamrag.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamrag.core.embed.EmbeddingException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Failure mapping and closing of {@link OnnxModels}, without native code. */
class OnnxModelsTest {
    private final OnnxModels onnx = new OnnxModels(EmbeddingException.class, EmbeddingException::new);
    private final List<String> closed = new ArrayList<>();

    private AutoCloseable resource(String name, boolean fails) {
        return () -> {
            closed.add(name);
            if (fails) {
                throw new IllegalStateException(name + " failed to close");
            }
        };
    }

    @Test
    void closingAfterAFailureClosesEverythingAndAttachesCloseFailuresToIt() {
        RuntimeException primary = new RuntimeException("load failed");
        onnx.closeAll(primary, "closing failed", resource("model", true), null, resource("tokenizer", true));

        assertThat(closed).containsExactly("model", "tokenizer");
        assertThat(primary.getSuppressed()).extracting(Throwable::getMessage)
                .containsExactly("model failed to close", "tokenizer failed to close");
    }

    @Test
    void closingWithoutAFailureThrowsTheFirstCloseFailureAfterClosingEverything() {
        assertThatThrownBy(() -> onnx.closeAll(null, "closing failed", resource("model", true),
                resource("input", false), resource("counting", true)))
                .isInstanceOf(EmbeddingException.class).hasMessage("closing failed")
                .satisfies(e -> assertThat(e.getCause()).hasMessage("model failed to close"))
                .satisfies(e -> assertThat(e.getSuppressed()).extracting(Throwable::getMessage)
                        .containsExactly("counting failed to close"));
        assertThat(closed).containsExactly("model", "input", "counting");
    }

    @Test
    void loadFailuresTakeTheOwnersMessageUnlessTheyAlreadyAreItsType() {
        IOException io = new IOException("truncated");
        assertThatThrownBy(() -> onnx.loadTokenizer(() -> {
            throw io;
        }, "loading tokenizer t failed")).isInstanceOf(EmbeddingException.class)
                .hasMessage("loading tokenizer t failed").hasCause(io);

        EmbeddingException own = new EmbeddingException("model resource 't' not found");
        assertThatThrownBy(() -> onnx.loadTokenizer(() -> {
            throw own;
        }, "loading tokenizer t failed")).isSameAs(own);
    }
}
