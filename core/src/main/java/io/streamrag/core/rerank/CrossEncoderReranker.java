package io.streamrag.core.rerank;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoopTranslator;
import ai.djl.translate.TranslateException;
import ai.djl.util.PairList;
import io.streamrag.core.model.OnnxModels;
import io.streamrag.core.model.PaddedBatch;
import io.streamrag.core.store.ScoredChunk;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A {@link Reranker} running a cross-encoder (a BERT-style model that reads query and passage together, e.g.
 * {@code cross-encoder/ms-marco-MiniLM-L-6-v2} or {@code BAAI/bge-reranker-base} exported to ONNX) with ONNX
 * Runtime through DJL on the CPU. The model directory must hold {@code model.onnx} (inputs {@code input_ids},
 * optionally {@code attention_mask} and {@code token_type_ids}, int64 {@code [batch, length]}; output
 * {@code logits} {@code [batch, 1]} or {@code [batch, 2]}) and the Hugging Face {@code tokenizer.json}.
 *
 * <p>Each (query, passage title + text) pair is tokenized as a pair, truncated longest-first to {@code maxTokens},
 * padded per batch of {@code batchSize} pairs and scored; the score is the sigmoid of a single logit, or the
 * softmax probability of class 1 for two-logit models. Ties keep the retrieval order.
 *
 * <p>Thread-safe: ONNX Runtime sessions allow concurrent runs. {@link #close()} waits for calls in flight and
 * frees the native model; later calls throw {@link IllegalStateException}. The creator owns the reranker.
 */
public final class CrossEncoderReranker implements Reranker, AutoCloseable {
    public static final String MODEL_FILE = "model.onnx";
    public static final String TOKENIZER_FILE = "tokenizer.json";
    private static final OnnxModels ONNX = new OnnxModels(RerankException.class, RerankException::new);
    private static final String CLOSE_FAILED = "closing the cross-encoder's native resources failed";

    private final Path modelDir;
    private final int maxTokens;
    private final int batchSize;
    private final HuggingFaceTokenizer tokenizer;
    private final Model onnx;
    private final List<String> inputNames;
    /** Read lock: a call uses native resources; write lock: close frees them. */
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private boolean closed; // guarded by lifecycle

    private CrossEncoderReranker(Builder b) {
        this.modelDir = b.modelDir;
        this.maxTokens = b.maxTokens;
        this.batchSize = b.batchSize;
        ONNX.requireEngine();
        HuggingFaceTokenizer loadedTokenizer = null;
        Model loaded = null;
        try {
            loadedTokenizer = loadTokenizer();
            loaded = loadModel(b.intraOpThreads, b.interOpThreads);
            this.inputNames = ONNX.inputNames(loaded, names -> "model " + modelDir.resolve(MODEL_FILE) + " has inputs "
                    + names + ", expected input_ids and optionally attention_mask, token_type_ids: check that it is a"
                    + " BERT-style cross-encoder export");
        } catch (RuntimeException e) {
            ONNX.closeAll(e, CLOSE_FAILED, loaded, loadedTokenizer);
            throw e;
        }
        this.tokenizer = loadedTokenizer;
        this.onnx = loaded;
    }

    /**
     * A builder for the model in {@code modelDir}.
     *
     * @throws IllegalArgumentException when the directory or one of its two files is missing (the message names them)
     */
    public static Builder builder(Path modelDir) {
        return new Builder(modelDir);
    }

    /**
     * Checks that {@code modelDir} is a directory holding {@value #MODEL_FILE} and {@value #TOKENIZER_FILE}.
     *
     * @throws IllegalArgumentException naming what is missing
     */
    public static void validateModelDir(Path modelDir) {
        Objects.requireNonNull(modelDir, "modelDir");
        if (!Files.isDirectory(modelDir)) {
            throw new IllegalArgumentException("cross-encoder model directory " + modelDir + " does not exist or is"
                    + " not a directory: it must hold " + MODEL_FILE + " and " + TOKENIZER_FILE);
        }
        List<String> missing = new ArrayList<>();
        for (String file : List.of(MODEL_FILE, TOKENIZER_FILE)) {
            if (!Files.isRegularFile(modelDir.resolve(file))) {
                missing.add(file);
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("cross-encoder model directory " + modelDir + " lacks "
                    + String.join(" and ", missing) + ": export the model to ONNX (e.g. optimum-cli export onnx)"
                    + " and put its " + MODEL_FILE + " and " + TOKENIZER_FILE + " there");
        }
    }

    @Override
    public List<ScoredChunk> rerank(String query, List<ScoredChunk> candidates, int topK) {
        Objects.requireNonNull(query, "query");
        Objects.requireNonNull(candidates, "candidates");
        if (topK <= 0) {
            throw new IllegalArgumentException("topK must be > 0, got " + topK);
        }
        if (candidates.isEmpty()) {
            return List.of();
        }
        double[] scores = new double[candidates.size()];
        Lock lock = lifecycle.readLock();
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("cross-encoder reranker " + modelDir + " is closed");
            }
            for (int from = 0; from < candidates.size(); from += batchSize) {
                int to = Math.min(candidates.size(), from + batchSize);
                double[] batch = scoreBatch(query, candidates.subList(from, to));
                System.arraycopy(batch, 0, scores, from, batch.length);
            }
        } finally {
            lock.unlock();
        }
        return RerankOrder.best(candidates, scores, topK);
    }

    /** Frees the native model and tokenizer once calls in flight have finished. Idempotent. */
    @Override
    public void close() {
        Lock lock = lifecycle.writeLock();
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            ONNX.closeAll(null, CLOSE_FAILED, onnx, tokenizer);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "CrossEncoderReranker[" + modelDir + ", maxTokens=" + maxTokens + ", batchSize=" + batchSize + "]";
    }

    /** Scores one batch of pairs; the caller holds the read lock. */
    private double[] scoreBatch(String query, List<ScoredChunk> candidates) {
        PaddedBatch batch;
        try {
            PairList<String, String> pairs = new PairList<>(candidates.size());
            for (ScoredChunk c : candidates) {
                pairs.add(query, c.chunk().embeddingText());
            }
            batch = OnnxModels.pad(tokenizer.batchEncode(pairs));
        } catch (RuntimeException e) {
            throw new RerankException("tokenizing " + candidates.size() + " (query, passage) pairs with "
                    + modelDir.resolve(TOKENIZER_FILE) + " failed: check the tokenizer file and the tokenizers"
                    + " native library (DJL_CACHE_DIR)", e);
        }
        try (NDManager manager = onnx.getNDManager().newSubManager();
             Predictor<NDList, NDList> predictor = onnx.newPredictor(new NoopTranslator())) {
            NDList outputs = predictor.predict(OnnxModels.inputs(manager, batch, inputNames));
            NDArray logits = outputs.contains("logits") ? outputs.get("logits") : outputs.singletonOrThrow();
            return scores(logits.toFloatArray(), logits.getShape(), batch.size());
        } catch (TranslateException | RuntimeException e) {
            if (e instanceof RerankException) {
                throw (RerankException) e;
            }
            throw new RerankException("running " + modelDir.resolve(MODEL_FILE) + " on " + batch.size()
                    + " pairs x " + batch.length() + " tokens failed: " + e.getMessage() + "; check memory, the batch"
                    + " size and that the model is a cross-encoder", e);
        }
    }

    /** Relevance scores from {@code [n]}, {@code [n, 1]} (sigmoid) or {@code [n, 2]} (softmax of class 1) logits. */
    private double[] scores(float[] logits, Shape shape, int n) {
        double[] out = new double[n];
        if (logits.length == n && (shape.dimension() == 1 || shape.dimension() == 2 && shape.get(1) == 1)) {
            for (int i = 0; i < n; i++) {
                out[i] = 1 / (1 + Math.exp(-logits[i]));
            }
            return out;
        }
        if (logits.length == 2 * n && shape.dimension() == 2 && shape.get(1) == 2) {
            for (int i = 0; i < n; i++) {
                // softmax(l0, l1)[1] == sigmoid(l1 - l0)
                out[i] = 1 / (1 + Math.exp(-(logits[2 * i + 1] - logits[2 * i])));
            }
            return out;
        }
        throw new RerankException("model " + modelDir.resolve(MODEL_FILE) + " returned logits of shape " + shape
                + " for " + n + " pairs, expected [" + n + ", 1] or [" + n + ", 2]: check that it is a cross-encoder");
    }

    private HuggingFaceTokenizer loadTokenizer() {
        // The tokenizer json may carry its own truncation/padding; these options replace them.
        Map<String, String> options = Map.of(
                "addSpecialTokens", "true",
                "truncation", "longest_first",
                "maxLength", Integer.toString(maxTokens),
                "padding", "false");
        Path file = modelDir.resolve(TOKENIZER_FILE);
        return ONNX.loadTokenizer(() -> HuggingFaceTokenizer.newInstance(file, options), "loading tokenizer " + file
                + " failed: check that it is a Hugging Face tokenizer.json and that the tokenizers native library can"
                + " be extracted (DJL_CACHE_DIR writable)");
    }

    private Model loadModel(int intraOpThreads, int interOpThreads) {
        String failure = "loading " + modelDir.resolve(MODEL_FILE) + " into ONNX Runtime failed: check that it is a"
                + " valid ONNX file and that the heap can hold it once while loading";
        return ONNX.loadModel("cross-encoder", Device.cpu(), intraOpThreads, interOpThreads,
                (m, options) -> m.load(modelDir, "model", options), failure);
    }

    /** Settings of a {@link CrossEncoderReranker}; {@link #build()} loads the model. Not thread-safe. */
    public static final class Builder {
        private final Path modelDir;
        private int maxTokens = 512;
        private int batchSize = 16;
        private int intraOpThreads = Runtime.getRuntime().availableProcessors();
        private int interOpThreads = 1;

        private Builder(Path modelDir) {
            validateModelDir(modelDir);
            this.modelDir = modelDir;
        }

        /** Tokens per (query, passage) pair, special tokens included, truncated longest-first; default 512. */
        public Builder maxTokens(int maxTokens) {
            if (maxTokens < 8) {
                throw new IllegalArgumentException("maxTokens must be >= 8, got " + maxTokens);
            }
            this.maxTokens = maxTokens;
            return this;
        }

        /** The most pairs run through the model at once; default 16. */
        public Builder batchSize(int batchSize) {
            if (batchSize < 1) {
                throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
            }
            this.batchSize = batchSize;
            return this;
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
         * Loads the tokenizer and the model.
         *
         * @throws RerankException when the engine, the tokenizer or the model cannot be loaded
         */
        public CrossEncoderReranker build() {
            return new CrossEncoderReranker(this);
        }
    }
}
