package io.streamrag.core.generate;

import io.streamrag.core.store.ScoredChunk;
import java.util.List;

/**
 * Writes an answer to a question from retrieved context chunks.
 *
 * <p>Implementations must cite only chunks they were given, using the 1-based numbers of
 * {@link Answer#citations()}, and must be thread-safe.
 */
public interface Generator {
    Answer generate(String question, List<ScoredChunk> context);
}
