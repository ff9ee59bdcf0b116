package io.streamrag.core.chunk;

import io.streamrag.core.Document;
import java.util.List;

/**
 * Cuts a document into chunks.
 *
 * <p>Implementations must be deterministic (the same document yields the same chunks and ids), must return
 * at least one chunk for a document with non-blank text, and must be thread-safe.
 */
public interface Chunker {
    List<Chunk> chunk(Document document);
}
