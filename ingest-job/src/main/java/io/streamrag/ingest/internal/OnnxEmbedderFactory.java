package io.streamrag.ingest.internal;

import io.streamrag.core.embed.Embedder;
import io.streamrag.core.embed.EmbeddingDevice;
import io.streamrag.core.embed.EmbeddingModel;
import io.streamrag.core.embed.OnnxEmbedder;
import io.streamrag.ingest.IngestSettings;
import java.util.Objects;
import org.apache.flink.util.function.SerializableSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens an {@link OnnxEmbedder} for a model id; serializable so that it can travel into an operator and open
 * the model there. Each {@link #get()} loads a new embedder that the caller owns and closes. Immutable.
 *
 * <p>A batch size or concurrency of {@link IngestSettings#AUTO} leaves the choice to {@link OnnxEmbedder}'s
 * defaults for the device the model runs on (on a CPU: one text per run, a run per core of the TaskManager).
 */
public final class OnnxEmbedderFactory implements SerializableSupplier<Embedder> {
    private static final long serialVersionUID = 3L;
    private static final Logger LOG = LoggerFactory.getLogger(OnnxEmbedderFactory.class);

    private final String modelId;
    private final int threads;
    private final int batchSize;
    private final int concurrency;
    private final EmbeddingDevice device;

    /** A CPU embedder with the defaults; see {@link #OnnxEmbedderFactory(String, int, int, int, EmbeddingDevice)}. */
    public OnnxEmbedderFactory(String modelId, int threads) {
        this(modelId, threads, IngestSettings.AUTO, IngestSettings.AUTO, EmbeddingDevice.CPU);
    }

    /**
     * @param modelId     an {@link EmbeddingModel} id
     * @param threads     ONNX Runtime intra-op threads per model run, > 0
     * @param batchSize   the most texts in one model run, > 0, or {@link IngestSettings#AUTO}
     * @param concurrency model runs at the same time, > 0, or {@link IngestSettings#AUTO}
     * @param device      where the model runs (CUDA falls back to the CPU with a warning where unusable)
     */
    public OnnxEmbedderFactory(String modelId, int threads, int batchSize, int concurrency, EmbeddingDevice device) {
        this.modelId = Objects.requireNonNull(modelId, "modelId");
        EmbeddingModel.fromId(modelId); // fail at job definition, not in the task
        if (threads <= 0) {
            throw new IllegalArgumentException("threads must be > 0, got " + threads);
        }
        if (batchSize < 0 || concurrency < 0) {
            throw new IllegalArgumentException("batchSize and concurrency must be >= 0 (0: the device's default), got "
                    + batchSize + " and " + concurrency);
        }
        this.threads = threads;
        this.batchSize = batchSize;
        this.concurrency = concurrency;
        this.device = Objects.requireNonNull(device, "device");
    }

    @Override
    public Embedder get() {
        NativeLibraries.isolate();
        OnnxEmbedder.Builder builder = OnnxEmbedder.builder(EmbeddingModel.fromId(modelId))
                .intraOpThreads(threads)
                // Independent graph branches gain little on few cores; concurrent runs use the cores instead.
                .interOpThreads(1)
                .device(device);
        if (batchSize != IngestSettings.AUTO) {
            builder.batchSize(batchSize);
        }
        if (concurrency != IngestSettings.AUTO) {
            builder.concurrency(concurrency);
        }
        OnnxEmbedder embedder = builder.build();
        LOG.info("Opened {} ({} intra-op threads per run)", embedder, threads);
        return embedder;
    }
}
