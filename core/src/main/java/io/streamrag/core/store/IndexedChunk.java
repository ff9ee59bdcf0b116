package io.streamrag.core.store;

import io.streamrag.core.chunk.Chunk;
import java.util.Objects;

/** A chunk with its embedding, ready to be written to a {@link VectorStore}. */
public record IndexedChunk(Chunk chunk, float[] vector) {
    public IndexedChunk {
        Objects.requireNonNull(chunk, "chunk");
        Objects.requireNonNull(vector, "vector");
    }
}
