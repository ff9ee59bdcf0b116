package io.streamrag.core.embed;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.engine.StandardCapabilities;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoopTranslator;
import ai.djl.translate.TranslateException;
import io.streamrag.core.embed.internal.ClasspathResources;
import io.streamrag.core.model.OnnxModels;
import io.streamrag.core.model.PaddedBatch;
import io.streamrag.core.model.VectorMath;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link Embedder} that runs an {@link EmbeddingModel} with ONNX Runtime through DJL, fully offline: the ONNX
 * graph and the tokenizer are read from the classpath. It runs on the CPU unless {@link EmbeddingDevice#CUDA} is
 * configured and usable (the {@code onnxruntime_gpu} library from Maven profile {@code -Pgpu} and a visible GPU);
 * a CUDA request that cannot be met logs a warning and runs on the CPU, see {@link #device()}.
 *
 * <p>Texts are tokenized with the model's own Hugging Face tokenizer, truncated to {@code maxTokens} (special
 * tokens included), padded to the longest text of each sub-batch, run through the model, pooled as the model
 * requires and L2-normalised. Lists longer than {@code batchSize} are split into sub-batches, which bounds the
 * memory of one call. For quantized models the vector of a text depends slightly on the other texts of its
 * sub-batch (activations are quantized per batch).
 *
 * <p>Thread-safe: any number of threads may embed concurrently (ONNX Runtime sessions allow concurrent runs;
 * they share the session's intra-op thread pool). {@link #close()} waits for calls in flight, so native memory
 * is never freed under a running call; later calls throw {@link IllegalStateException}. The creator owns the
 * embedder and closes it; the {@link #tokenCounter()} is valid until then.
 */
public final class OnnxEmbedder implements Embedder {

    private static final OnnxModels ONNX = new OnnxModels(EmbeddingException.class, EmbeddingException::new);
    private static final String OUTPUT = "last_hidden_state";
    private static final String CLOSE_FAILED = "closing the embedder's native resources failed";
    private static final Logger LOG = LoggerFactory.getLogger(OnnxEmbedder.class);

    private final EmbeddingModel model;
    private final int maxTokens;
    private final int batchSize;
    private final Model onnx;
    private final EmbeddingDevice device;
    private final List<String> inputNames;
    private final HuggingFaceTokenizer inputTokenizer;
    private final HuggingFaceTokenizer countingTokenizer;
    private final TokenCounter tokenCounter;
    /** Read lock: a call uses native resources; write lock: close frees them. */
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private boolean closed; // guarded by lifecycle

    private OnnxEmbedder(Builder b) {
        this.model = b.model;
        this.maxTokens = b.maxTokens;
        this.batchSize = b.batchSize;
        ONNX.requireEngine();
        // Load in an order where each failure leaves nothing open behind it.
        HuggingFaceTokenizer counting = null;
        HuggingFaceTokenizer input = null;
        LoadedModel loaded = null;
        try {
            counting = loadTokenizer(Map.of(
                    "addSpecialTokens", "false",
                    "truncation", "false",
                    "padding", "false"));
            // The tokenizer json may carry its own truncation/padding; these options replace them.
            input = loadTokenizer(Map.of(
                    "addSpecialTokens", "true",
                    "truncation", "true",
                    "maxLength", Integer.toString(maxTokens),
                    "modelMaxLength", Integer.toString(model.maxSequenceLength()),
                    "padding", "false"));
            loaded = loadModel(b.intraOpThreads, b.interOpThreads, b.device);
            this.inputNames = ONNX.inputNames(loaded.model(), names -> "model " + model.onnxResource() + " has inputs "
                    + names + ", expected " + OnnxModels.BERT_INPUTS + ": check that the resource is the " + model.id()
                    + " graph");
        } catch (RuntimeException e) {
            ONNX.closeAll(e, CLOSE_FAILED, loaded == null ? null : loaded.model(), input, counting);
            throw e;
        }
        this.countingTokenizer = counting;
        this.inputTokenizer = input;
        this.onnx = loaded.model();
        this.device = loaded.device();
        this.tokenCounter = this::countTokens;
    }

    /** An embedder with default settings (all cores for intra-op work, batches of 32, 512 tokens). */
    public static OnnxEmbedder create(EmbeddingModel model) {
        return builder(model).build();
    }

    /** A builder for {@code model}. */
    public static Builder builder(EmbeddingModel model) {
        return new Builder(model);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Returns an unmodifiable list of new arrays, which the caller owns; an empty input gives an empty list
     * without touching the model.
     */
    @Override
    public List<float[]> embedPassages(List<String> texts) {
        Objects.requireNonNull(texts, "texts");
        for (int i = 0; i < texts.size(); i++) {
            if (texts.get(i) == null) {
                throw new IllegalArgumentException("texts[" + i + "] is null");
            }
        }
        if (texts.isEmpty()) {
            return List.of();
        }
        List<float[]> out = new ArrayList<>(texts.size());
        Lock lock = lifecycle.readLock();
        lock.lock();
        try {
            ensureOpen();
            for (int from = 0; from < texts.size(); from += batchSize) {
                out.addAll(embedBatch(texts.subList(from, Math.min(texts.size(), from + batchSize))));
            }
        } finally {
            lock.unlock();
        }
        return Collections.unmodifiableList(out);
    }

    /** {@inheritDoc} The model's query instruction is prepended; see {@link EmbeddingModel#queryInstruction()}. */
    @Override
    public float[] embedQuery(String text) {
        Objects.requireNonNull(text, "text");
        return embedPassages(List.of(model.queryInstruction() + text)).get(0);
    }

    @Override
    public int dimension() {
        return model.dimension();
    }

    @Override
    public String modelId() {
        return model.id();
    }

    /** The model this embedder runs. */
    public EmbeddingModel model() {
        return model;
    }

    /**
     * The device the model actually runs on: the configured one, or {@link EmbeddingDevice#CPU} where
     * {@link EmbeddingDevice#CUDA} was configured but is not usable here.
     */
    public EmbeddingDevice device() {
        return device;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Backed by the model's tokenizer without special tokens and without truncation, so texts longer than
     * the model accepts are counted in full. Thread-safe; valid until this embedder is closed.
     */
    @Override
    public TokenCounter tokenCounter() {
        return tokenCounter;
    }

    /** Frees the native model and tokenizers once calls in flight have finished. Idempotent. */
    @Override
    public void close() {
        Lock lock = lifecycle.writeLock();
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            ONNX.closeAll(null, CLOSE_FAILED, onnx, inputTokenizer, countingTokenizer);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "OnnxEmbedder[" + model.id() + ", device=" + device.id() + ", maxTokens=" + maxTokens + ", batchSize="
                + batchSize + "]";
    }

    private int countTokens(String text) {
        Objects.requireNonNull(text, "text");
        Lock lock = lifecycle.readLock();
        lock.lock();
        try {
            ensureOpen();
            return countingTokenizer.encode(text).getIds().length;
        } catch (RuntimeException e) {
            if (e instanceof IllegalStateException) {
                throw e;
            }
            throw new EmbeddingException("tokenizing a text of " + text.length() + " chars with "
                    + model.tokenizerResource() + " failed: check the tokenizers native library (DJL_CACHE_DIR)", e);
        } finally {
            lock.unlock();
        }
    }

    /** Embeds one sub-batch; the caller holds the read lock. */
    private List<float[]> embedBatch(List<String> texts) {
        PaddedBatch batch;
        try {
            batch = OnnxModels.pad(inputTokenizer.batchEncode(texts));
        } catch (RuntimeException e) {
            throw new EmbeddingException("tokenizing a batch of " + texts.size() + " texts with "
                    + model.tokenizerResource() + " failed: check the tokenizers native library (DJL_CACHE_DIR)", e);
        }
        int dim = model.dimension();
        try (NDManager manager = onnx.getNDManager().newSubManager();
             Predictor<NDList, NDList> predictor = onnx.newPredictor(new NoopTranslator())) {
            NDList outputs = predictor.predict(OnnxModels.inputs(manager, batch, inputNames));
            NDArray hidden = outputs.get(OUTPUT);
            Shape expected = new Shape(batch.size(), batch.length(), dim);
            if (hidden == null || !expected.equals(hidden.getShape())) {
                throw new EmbeddingException("model " + model.onnxResource() + " returned "
                        + (hidden == null ? "no '" + OUTPUT + "' output" : OUTPUT + " of shape " + hidden.getShape())
                        + ", expected " + expected + ": check that the resource is the " + model.id() + " graph");
            }
            float[] flat = hidden.toFloatArray();
            List<float[]> vectors = new ArrayList<>(batch.size());
            for (int row = 0; row < batch.size(); row++) {
                float[] v = model.pooling().pool(flat, batch.attentionMask(), row, batch.length(), dim);
                vectors.add(VectorMath.normalizeInPlace(v));
            }
            return vectors;
        } catch (TranslateException | RuntimeException e) {
            if (e instanceof EmbeddingException) {
                throw (EmbeddingException) e;
            }
            throw new EmbeddingException("running " + model.onnxResource() + " on a batch of " + batch.size()
                    + " texts x " + batch.length() + " tokens (maxTokens " + maxTokens + ") failed: " + e.getMessage()
                    + "; check memory (-Xmx and native), the batch size and the ONNX Runtime native library", e);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("embedder for " + model.id() + " is closed");
        }
    }

    private HuggingFaceTokenizer loadTokenizer(Map<String, String> options) {
        return ONNX.loadTokenizer(() -> {
            try (InputStream in = ClasspathResources.open(model.tokenizerResource(), model.artifact())) {
                return HuggingFaceTokenizer.newInstance(in, options);
            }
        }, "loading tokenizer " + model.tokenizerResource() + " failed: check that " + model.artifact()
                + " is intact and that the tokenizers native library can be extracted (DJL_CACHE_DIR writable)");
    }

    /**
     * Loads the model on the requested device; a CUDA request that cannot be met is logged at WARN and loaded on
     * the CPU, so that a deployment configured for GPUs still ingests (slower) on a machine without one.
     */
    private LoadedModel loadModel(int intraOpThreads, int interOpThreads, EmbeddingDevice requested) {
        if (requested == EmbeddingDevice.CUDA) {
            String unavailable = cudaUnavailableReason();
            if (unavailable == null) {
                try {
                    return new LoadedModel(loadModelOn(Device.gpu(), intraOpThreads, interOpThreads),
                            EmbeddingDevice.CUDA);
                } catch (EmbeddingException e) {
                    LOG.warn("Embedding device cuda requested for {}, but loading the model with the CUDA execution"
                            + " provider failed; falling back to the CPU: {}", model.id(), e.getMessage(), e);
                }
            } else {
                LOG.warn("Embedding device cuda requested for {}, but {}; falling back to the CPU", model.id(),
                        unavailable);
            }
        }
        return new LoadedModel(loadModelOn(Device.cpu(), intraOpThreads, interOpThreads), EmbeddingDevice.CPU);
    }

    /** Why the CUDA execution provider cannot be used here, or null when it can. */
    private static String cudaUnavailableReason() {
        Engine engine = Engine.getEngine(OnnxModels.ENGINE);
        // OrtEngine answers this by trying to add the CUDA provider to a session: false with the CPU-only library
        // or when the CUDA/cuDNN libraries it links against are missing.
        if (!engine.hasCapability(StandardCapabilities.CUDA)) {
            return "the ONNX Runtime library on the classpath has no usable CUDA execution provider (build with"
                    + " -Pgpu to get com.microsoft.onnxruntime:onnxruntime_gpu, and put the CUDA 12 and cuDNN 9"
                    + " libraries on LD_LIBRARY_PATH)";
        }
        if (engine.getGpuCount() == 0) {
            return "no CUDA GPU is visible (check the driver and CUDA_VISIBLE_DEVICES)";
        }
        return null;
    }

    private Model loadModelOn(Device onnxDevice, int intraOpThreads, int interOpThreads) {
        return ONNX.loadModel(model.id(), onnxDevice, intraOpThreads, interOpThreads, (m, options) -> {
            try (InputStream in = ClasspathResources.open(model.onnxResource(), model.artifact())) {
                m.load(in, options);
            }
        }, "loading " + model.onnxResource() + " into ONNX Runtime on " + onnxDevice + " failed: check that "
                + model.artifact() + " is intact and that the heap can hold the model file once while loading");
    }

    /** A loaded model and the device it runs on. */
    private record LoadedModel(Model model, EmbeddingDevice device) {
    }

    /**
     * Settings for an {@link OnnxEmbedder}. Each setter validates its value; {@link #build()} loads the model.
     * Not thread-safe.
     */
    public static final class Builder {
        private final EmbeddingModel model;
        private int intraOpThreads = Runtime.getRuntime().availableProcessors();
        private int interOpThreads = 1;
        private int maxTokens;
        private int batchSize = 32;
        private EmbeddingDevice device = EmbeddingDevice.CPU;

        private Builder(EmbeddingModel model) {
            this.model = Objects.requireNonNull(model, "model");
            this.maxTokens = model.maxSequenceLength();
        }

        /** Threads ONNX Runtime uses inside one operator; default: the available processors. */
        public Builder intraOpThreads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("intraOpThreads must be >= 1, got " + threads);
            }
            this.intraOpThreads = threads;
            return this;
        }

        /** Threads ONNX Runtime uses to run independent operators in parallel; default 1. */
        public Builder interOpThreads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("interOpThreads must be >= 1, got " + threads);
            }
            this.interOpThreads = threads;
            return this;
        }

        /**
         * Tokens per text, special tokens included; longer texts are truncated. Default and maximum: the model's
         * {@link EmbeddingModel#maxSequenceLength()} (512).
         */
        public Builder maxTokens(int tokens) {
            if (tokens < 8 || tokens > model.maxSequenceLength()) {
                throw new IllegalArgumentException("maxTokens must be between 8 and " + model.maxSequenceLength()
                        + " for " + model.id() + ", got " + tokens);
            }
            this.maxTokens = tokens;
            return this;
        }

        /** The most texts run through the model at once; longer input lists are split. Default 32. */
        public Builder batchSize(int size) {
            if (size < 1) {
                throw new IllegalArgumentException("batchSize must be >= 1, got " + size);
            }
            this.batchSize = size;
            return this;
        }

        /**
         * Where the model runs; default {@link EmbeddingDevice#CPU}. {@link EmbeddingDevice#CUDA} falls back to the
         * CPU with a warning where the CUDA execution provider or a GPU is missing; see {@link OnnxEmbedder#device()}.
         */
        public Builder device(EmbeddingDevice device) {
            this.device = Objects.requireNonNull(device, "device");
            return this;
        }

        /**
         * Loads the tokenizer and the model.
         *
         * @throws EmbeddingException when the engine, the resources or the model cannot be loaded
         */
        public OnnxEmbedder build() {
            return new OnnxEmbedder(this);
        }
    }
}
