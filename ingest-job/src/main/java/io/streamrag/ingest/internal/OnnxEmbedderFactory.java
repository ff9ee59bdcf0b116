package io.streamrag.ingest.internal;

import io.streamrag.core.embed.Embedder;
import io.streamrag.core.embed.EmbeddingDevice;
import io.streamrag.core.embed.EmbeddingModel;
import io.streamrag.core.embed.OnnxEmbedder;
import java.util.Objects;
import org.apache.flink.util.function.SerializableSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens an {@link OnnxEmbedder} for a model id; serializable so that it can travel into an operator and open
 * the model there. Each {@link #get()} loads a new embedder that the caller owns and closes. Immutable.
 */
public final class OnnxEmbedderFactory implements SerializableSupplier<Embedder> {
    private static final long serialVersionUID = 2L;
    private static final Logger LOG = LoggerFactory.getLogger(OnnxEmbedderFactory.class);
    private static final int DEFAULT_BATCH_SIZE = 32;

    private final String modelId;
    private final int threads;
    private final int batchSize;
    private final EmbeddingDevice device;

    /** A CPU embedder with sub-batches of 32 texts; see {@link #OnnxEmbedderFactory(String, int, int, EmbeddingDevice)}. */
    public OnnxEmbedderFactory(String modelId, int threads) {
        this(modelId, threads, DEFAULT_BATCH_SIZE, EmbeddingDevice.CPU);
    }

    /**
     * @param modelId   an {@link EmbeddingModel} id
     * @param threads   ONNX Runtime intra-op threads, > 0
     * @param batchSize the most texts the embedder runs through the model at once, > 0
     * @param device    where the model runs (CUDA falls back to the CPU with a warning where unusable)
     */
    public OnnxEmbedderFactory(String modelId, int threads, int batchSize, EmbeddingDevice device) {
        this.modelId = Objects.requireNonNull(modelId, "modelId");
        EmbeddingModel.fromId(modelId); // fail at job definition, not in the task
        if (threads <= 0) {
            throw new IllegalArgumentException("threads must be > 0, got " + threads);
        }
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batchSize must be > 0, got " + batchSize);
        }
        this.threads = threads;
        this.batchSize = batchSize;
        this.device = Objects.requireNonNull(device, "device");
    }

    @Override
    public Embedder get() {
        NativeLibraries.isolate();
        OnnxEmbedder embedder = OnnxEmbedder.builder(EmbeddingModel.fromId(modelId))
                .intraOpThreads(threads)
                // Batches run one at a time per subtask; independent graph branches gain little on few cores.
                .interOpThreads(1)
                .batchSize(batchSize)
                .device(device)
                .build();
        LOG.info("Opened {} ({} intra-op threads)", embedder, threads);
        return embedder;
    }
}
