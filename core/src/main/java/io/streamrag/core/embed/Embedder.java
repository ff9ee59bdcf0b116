package io.streamrag.core.embed;

import java.util.List;

/**
 * Turns text into dense vectors.
 *
 * <p>Implementations must return L2-normalised vectors of {@link #dimension()} floats, one per input and in
 * input order, must be thread-safe, and must throw {@link EmbeddingException} (never return partial results)
 * when the model fails. The owner closes the embedder.
 */
public interface Embedder extends AutoCloseable {

    /** Embeds passages (chunks) for indexing. */
    List<float[]> embedPassages(List<String> texts);

    /** Embeds a search query; models with a query instruction apply it here. */
    float[] embedQuery(String text);

    /** The length of every vector this embedder returns. */
    int dimension();

    /** A stable id of the model and its variant, e.g. {@code bge-small-en-v1.5-q}; part of cache keys. */
    String modelId();

    /** The model's own tokenizer, for token-aware chunking. */
    TokenCounter tokenCounter();

    /** Frees the model's resources; no call may be made afterwards. */
    @Override
    void close();
}
