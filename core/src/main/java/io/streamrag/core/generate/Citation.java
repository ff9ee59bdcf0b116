package io.streamrag.core.generate;

/** A chunk an answer cites, with the [number] the answer text uses for it. */
public record Citation(int number, String docId, String chunkId, double score, String text) {
}
