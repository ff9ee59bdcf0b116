package io.streamrag.core.store;

import io.streamrag.core.chunk.Chunk;

/** A search hit: a stored chunk and its score (higher is better; scales differ between searches). */
public record ScoredChunk(Chunk chunk, double score) {
}
