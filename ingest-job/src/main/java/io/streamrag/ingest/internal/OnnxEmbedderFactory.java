package io.streamrag.ingest.internal;

import io.streamrag.core.embed.Embedder;
import io.streamrag.core.embed.EmbeddingModel;
import io.streamrag.core.embed.OnnxEmbedder;
import java.util.Objects;
import org.apache.flink.util.function.SerializableSupplier;

/**
 * Opens an {@link OnnxEmbedder} for a model id; serializable so that it can travel into an operator and open
 * the model there. Each {@link #get()} loads a new embedder that the caller owns and closes.
 */
public final class OnnxEmbedderFactory implements SerializableSupplier<Embedder> {
    private static final long serialVersionUID = 1L;

    private final String modelId;
    private final int threads;

    /**
     * @param modelId an {@link EmbeddingModel} id
     * @param threads ONNX Runtime intra-op threads, > 0
     */
    public OnnxEmbedderFactory(String modelId, int threads) {
        this.modelId = Objects.requireNonNull(modelId, "modelId");
        EmbeddingModel.fromId(modelId); // fail at job definition, not in the task
        if (threads <= 0) {
            throw new IllegalArgumentException("threads must be > 0, got " + threads);
        }
        this.threads = threads;
    }

    @Override
    public Embedder get() {
        return OnnxEmbedder.builder(EmbeddingModel.fromId(modelId))
                .intraOpThreads(threads)
                // One document's chunks are one call; independent graph branches gain little on few cores.
                .interOpThreads(1)
                .build();
    }
}
