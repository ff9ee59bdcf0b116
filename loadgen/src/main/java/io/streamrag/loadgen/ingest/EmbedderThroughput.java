package io.streamrag.loadgen.ingest;

import io.streamrag.core.Document;
import io.streamrag.core.chunk.Chunk;
import io.streamrag.core.chunk.TokenChunker;
import io.streamrag.core.embed.EmbeddingDevice;
import io.streamrag.core.embed.OnnxEmbedder;
import io.streamrag.core.embed.TokenCounter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Part (a) of the ingest benchmark: the embedding model alone, opened as the job's chunk-embed task opens it, on
 * the chunks the ingest job would cut from the same documents, embedded once one document per call (what the job
 * did before micro-batching) and once in calls of whole documents up to {@code batchChunks} chunks (what
 * {@code ChunkEmbedder} does under load).
 * Runs on the calling thread; not thread-safe.
 */
final class EmbedderThroughput {

    /**
     * One measurement.
     *
     * @param device          the device the model actually ran on
     * @param chunks          chunks embedded per pass
     * @param perDocument     chunks/s with one call per document; NaN when not measured
     * @param batched         chunks/s with calls of up to {@code batchChunks} chunks
     * @param chunksPerDoc    the mean number of chunks per document
     * @param settings        the embedder's settings, as it describes itself
     */
    record Result(EmbeddingDevice device, int chunks, double perDocument, double batched, double chunksPerDoc,
                  String settings) {
    }

    private EmbedderThroughput() {
    }

    /**
     * Loads the model with the job's settings ({@code embedders}), warms it up and times the passes;
     * {@code perDocumentToo} false times only the batched pass (to measure the ceiling again after the stack runs,
     * on a machine whose load drifts).
     */
    static Result measure(List<CorpusDocument> docs, OnnxEmbedder.Builder embedders, int batchChunks, int maxTokens,
                          int overlapTokens, boolean perDocumentToo) {
        try (OnnxEmbedder embedder = embedders.build()) {
            List<List<String>> perDoc = chunkTexts(docs, embedder.tokenCounter(), maxTokens, overlapTokens);
            int chunks = perDoc.stream().mapToInt(List::size).sum();
            List<List<String>> batches = batches(perDoc, batchChunks);
            // warm-up: ONNX Runtime plans its kernels and arenas on the first runs of each shape
            for (int i = 0; i < Math.min(2, batches.size()); i++) {
                embedder.embedPassages(batches.get(i));
            }
            double perDocument = perDocumentToo ? rate(embedder, perDoc, chunks) : Double.NaN;
            double batched = rate(embedder, batches, chunks);
            return new Result(embedder.device(), chunks, perDocument, batched, (double) chunks / docs.size(),
                    embedder.toString());
        }
    }

    /** The texts the job embeds for each document: its chunks as {@code TokenChunker} cuts them, title included. */
    static List<List<String>> chunkTexts(List<CorpusDocument> docs, TokenCounter tokens, int maxTokens,
                                         int overlapTokens) {
        TokenChunker chunker = TokenChunker.builder().tokenCounter(tokens)
                .maxTokens(maxTokens).overlapTokens(overlapTokens).build();
        List<List<String>> perDoc = new ArrayList<>(docs.size());
        for (CorpusDocument doc : docs) {
            List<String> texts = new ArrayList<>();
            for (Chunk chunk : chunker.chunk(new Document("bench", doc.id(), 1, doc.title(), doc.text(), Map.of()))) {
                texts.add(chunk.embeddingText());
            }
            perDoc.add(texts);
        }
        return perDoc;
    }

    /** Consecutive whole documents per call, up to {@code max} chunks (one larger document is a call alone). */
    static List<List<String>> batches(List<List<String>> perDoc, int max) {
        List<List<String>> batches = new ArrayList<>();
        List<String> current = new ArrayList<>();
        for (List<String> doc : perDoc) {
            if (!current.isEmpty() && current.size() + doc.size() > max) {
                batches.add(current);
                current = new ArrayList<>();
            }
            current.addAll(doc);
            if (current.size() >= max) {
                batches.add(current);
                current = new ArrayList<>();
            }
        }
        if (!current.isEmpty()) {
            batches.add(current);
        }
        return batches;
    }

    private static double rate(OnnxEmbedder embedder, List<List<String>> calls, int chunks) {
        long start = System.nanoTime();
        for (List<String> call : calls) {
            if (!call.isEmpty()) {
                embedder.embedPassages(call);
            }
        }
        return chunks / ((System.nanoTime() - start) / 1e9);
    }
}
