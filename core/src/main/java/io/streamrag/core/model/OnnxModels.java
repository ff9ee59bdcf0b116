package io.streamrag.core.model;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The DJL plumbing shared by the BERT-style ONNX models (the embedder and the cross-encoder): the ONNX Runtime
 * engine, loading a graph and a Hugging Face tokenizer, closing them, and turning token ids into model inputs.
 * Failures become the owner's exception type with the owner's message. Immutable and thread-safe.
 */
public final class OnnxModels {
    /** The DJL engine name; named explicitly so that no other engine on the classpath is picked. */
    public static final String ENGINE = "OnnxRuntime";
    /** The inputs a BERT-style graph may take; {@code input_ids} is required. */
    public static final List<String> BERT_INPUTS = List.of("input_ids", "attention_mask", "token_type_ids");

    private final Class<? extends RuntimeException> errorType;
    private final BiFunction<String, Throwable, ? extends RuntimeException> error;

    /** Reports failures as {@code error(message, cause)}, except those already of {@code errorType}. */
    public <E extends RuntimeException> OnnxModels(Class<E> errorType, BiFunction<String, Throwable, E> error) {
        this.errorType = errorType;
        this.error = error;
    }

    /** Reads a tokenizer, e.g. {@code HuggingFaceTokenizer.newInstance(path, options)}. */
    @FunctionalInterface
    public interface TokenizerSource {
        HuggingFaceTokenizer open() throws IOException;
    }

    /** Loads a graph into a new, empty model with the given DJL options, e.g. {@code m.load(in, options)}. */
    @FunctionalInterface
    public interface GraphSource {
        void loadInto(Model model, Map<String, String> options) throws IOException, MalformedModelException;
    }

    /** Loads ONNX Runtime through DJL; call it before anything else touches it, so that DJL owns the library. */
    public void requireEngine() {
        try {
            Engine.getEngine(ENGINE);
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            throw error.apply("DJL engine '" + ENGINE + "' is not available: check that"
                    + " ai.djl.onnxruntime:onnxruntime-engine and com.microsoft.onnxruntime:onnxruntime are on the"
                    + " classpath and that its native library can be extracted (java.io.tmpdir writable)", e);
        }
    }

    /** Opens a tokenizer, which the caller then owns; a failure is reported with {@code failureMessage}. */
    public HuggingFaceTokenizer loadTokenizer(TokenizerSource source, String failureMessage) {
        try {
            return source.open();
        } catch (IOException | RuntimeException | UnsatisfiedLinkError e) {
            throw failure(failureMessage, e);
        }
    }

    /**
     * Loads a graph on {@code device} with the ONNX Runtime engine and the given thread counts; the caller owns the
     * model. On failure the model is closed and the failure reported with {@code failureMessage}.
     */
    public Model loadModel(String name, Device device, int intraOpThreads, int interOpThreads, GraphSource source,
            String failureMessage) {
        Model m = Model.newInstance(name, device, ENGINE);
        // DJL only applies the intra-op setting when the inter-op one is present too: always pass both.
        Map<String, String> options = Map.of(
                "intraOpNumThreads", Integer.toString(intraOpThreads),
                "interOpNumThreads", Integer.toString(interOpThreads));
        try {
            source.loadInto(m, options);
            return m;
        } catch (IOException | MalformedModelException | RuntimeException e) {
            m.close();
            throw failure(failureMessage, e);
        }
    }

    /** The graph's input names, checked against {@link #BERT_INPUTS}; {@code failureMessage} is given the names. */
    public List<String> inputNames(Model m, Function<List<String>, String> failureMessage) {
        List<String> names = m.describeInput().keys();
        if (!names.contains("input_ids") || !BERT_INPUTS.containsAll(names)) {
            throw error.apply(failureMessage.apply(names), null);
        }
        return List.copyOf(names);
    }

    /**
     * Closes the non-null {@code resources} in order. Failures are attached to {@code primary} when there is one;
     * otherwise the first is thrown with {@code failureMessage}, later ones suppressed in it.
     */
    public void closeAll(Throwable primary, String failureMessage, AutoCloseable... resources) {
        RuntimeException first = null;
        for (AutoCloseable c : resources) {
            if (c == null) {
                continue;
            }
            try {
                c.close();
            } catch (Exception e) {
                if (primary != null) {
                    primary.addSuppressed(e);
                } else if (first == null) {
                    first = error.apply(failureMessage, e);
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** The token ids and type ids of {@code encodings}, padded to the longest. */
    public static PaddedBatch pad(Encoding[] encodings) {
        List<long[]> ids = new ArrayList<>(encodings.length);
        List<long[]> types = new ArrayList<>(encodings.length);
        for (Encoding encoding : encodings) {
            ids.add(encoding.getIds());
            types.add(encoding.getTypeIds());
        }
        return PaddedBatch.of(ids, types);
    }

    /** The named int64 {@code [size, length]} input tensors of {@code batch}, in the order of {@code names}. */
    public static NDList inputs(NDManager manager, PaddedBatch batch, List<String> names) {
        Shape shape = new Shape(batch.size(), batch.length());
        NDList inputs = new NDList(names.size());
        for (String name : names) {
            long[] data = switch (name) {
                case "input_ids" -> batch.inputIds();
                case "attention_mask" -> batch.attentionMask();
                case "token_type_ids" -> batch.tokenTypeIds();
                default -> throw new IllegalStateException("unchecked model input " + name);
            };
            NDArray array = manager.create(data, shape);
            array.setName(name);
            inputs.add(array);
        }
        return inputs;
    }

    private RuntimeException failure(String message, Throwable cause) {
        return errorType.isInstance(cause) ? (RuntimeException) cause : error.apply(message, cause);
    }
}
