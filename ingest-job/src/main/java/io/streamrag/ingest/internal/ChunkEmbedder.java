package io.streamrag.ingest.internal;

import io.streamrag.core.Document;
import io.streamrag.core.chunk.Chunk;
import io.streamrag.core.chunk.Chunker;
import io.streamrag.core.chunk.TokenChunker;
import io.streamrag.core.embed.Embedder;
import io.streamrag.core.embed.EmbeddingException;
import io.streamrag.schemas.DocumentOp;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ScheduledFuture;
import org.apache.flink.api.common.operators.ProcessingTimeService.ProcessingTimeCallback;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.function.SerializableSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cuts each upsert into token-aware chunks and embeds the chunks of several documents in one call (a
 * micro-batch); deletes pass through without chunks.
 *
 * <p>Chunks are cut on arrival and held with their document; the held documents are embedded together, in one
 * {@link Embedder#embedPassages} call, and emitted in arrival order
 * <ul>
 *   <li>when the next document would take the held chunks beyond {@code maxBatchChunks} (the held ones go
 *       first, so a document is never split across calls; one document larger than the limit is one call),</li>
 *   <li>when {@code maxBatchChunks} chunks are held,</li>
 *   <li>when the first held document has waited {@code maxWaitMs} (a processing-time timer; 0 embeds every
 *       document on arrival, one call per document),</li>
 *   <li>before every checkpoint barrier ({@link #prepareSnapshotPreBarrier}), before a watermark, and at the end
 *       of a bounded input ({@link #finish}).</li>
 * </ul>
 * Flushing before the barrier means a checkpoint never covers a document that is still held here, so the
 * operator needs no state and loses nothing on a restore. Output order equals input order, so every version of a
 * document leaves in the order it came (the store writer relies on it); a delete waits behind the held upserts.
 *
 * <p>Backpressure, not buffering: embedding runs on the task thread, so while a batch is embedded no input is
 * read and Flink's bounded network buffers push back to the Kafka source. At most {@code maxBatchChunks} chunks
 * (or one larger document) are held. The embedder spreads one call's texts over its concurrent model runs (on a
 * CPU one text per run, a run per core: {@code --embed-concurrency}), so a call of several documents keeps the
 * cores busy; parallelism × runs × intra-op threads ≈ cores.
 *
 * <p>Failures: when the call for a batch throws an {@link EmbeddingException} (after whatever retries the
 * embedder does itself, see {@link RetryingEmbedder}), each document of the batch is embedded alone, so that one
 * document the model cannot take does not take its batch-mates down with it. A document whose own call fails is
 * emitted on the {@link RejectedDocument#EMBED_FAILED} side output (for the documents DLQ) in its place; the
 * others go on in order. Any other exception fails the task (Flink restarts it from the last checkpoint).
 *
 * <p>Each parallel instance owns one embedder, opened in {@link #open} from the given factory (the model loads
 * there, once per task) and closed in {@link #close}; the chunker counts tokens with the embedder's own
 * tokenizer. All methods run on the task thread (Flink's mailbox), timers included, so no synchronisation is
 * needed.
 */
public final class ChunkEmbedder extends AbstractStreamOperator<IndexedDocument>
        implements OneInputStreamOperator<DocumentChange, IndexedDocument>, ProcessingTimeCallback {
    private static final long serialVersionUID = 2L;
    private static final Logger LOG = LoggerFactory.getLogger(ChunkEmbedder.class);

    private final SerializableSupplier<Embedder> embedderFactory;
    private final int maxTokens;
    private final int overlapTokens;
    private final int maxBatchChunks;
    private final long maxWaitMs;

    private transient Embedder embedder;
    private transient Chunker chunker;
    private transient List<PendingDocument> pending;
    private transient int pendingChunks;
    private transient ScheduledFuture<?> flushTimer;

    /**
     * @param embedderFactory opens the embedder; called once per parallel instance, in {@link #open}
     * @param maxTokens       chunk size in model tokens
     * @param overlapTokens   tokens shared by neighbouring chunks
     * @param maxBatchChunks  the most chunks embedded in one call (unless one document has more), > 0
     * @param maxWaitMs       how long a document may wait for others to share its call, >= 0; 0 disables
     *                        batching across documents
     */
    public ChunkEmbedder(SerializableSupplier<Embedder> embedderFactory, int maxTokens, int overlapTokens,
                         int maxBatchChunks, long maxWaitMs) {
        this.embedderFactory = Objects.requireNonNull(embedderFactory, "embedderFactory");
        if (maxBatchChunks <= 0) {
            throw new IllegalArgumentException("maxBatchChunks must be > 0, got " + maxBatchChunks);
        }
        if (maxWaitMs < 0) {
            throw new IllegalArgumentException("maxWaitMs must be >= 0, got " + maxWaitMs);
        }
        this.maxTokens = maxTokens;
        this.overlapTokens = overlapTokens;
        this.maxBatchChunks = maxBatchChunks;
        this.maxWaitMs = maxWaitMs;
    }

    @Override
    public void open() throws Exception {
        super.open();
        pending = new ArrayList<>();
        pendingChunks = 0;
        embedder = embedderFactory.get();
        chunker = TokenChunker.builder()
                .tokenCounter(embedder.tokenCounter())
                .maxTokens(maxTokens)
                .overlapTokens(overlapTokens)
                .build();
    }

    @Override
    public void processElement(StreamRecord<DocumentChange> element) {
        DocumentChange change = element.getValue();
        List<Chunk> chunks = change.op() == DocumentOp.UPSERT
                ? chunker.chunk(new Document(change.collection(), change.docId(), change.version(), change.title(),
                        change.text(), change.metadata()))
                : List.of();
        if (chunks.isEmpty() && pending.isEmpty()) {
            // nothing to embed and nothing ahead of it: waiting would only add latency
            output.collect(new StreamRecord<>(indexed(change, List.of(), List.of())));
            return;
        }
        if (!pending.isEmpty() && pendingChunks + chunks.size() > maxBatchChunks) {
            flush();
        }
        pending.add(new PendingDocument(change, chunks));
        pendingChunks += chunks.size();
        if (pendingChunks >= maxBatchChunks || maxWaitMs == 0) {
            flush();
        } else if (flushTimer == null) {
            long now = getProcessingTimeService().getCurrentProcessingTime();
            flushTimer = getProcessingTimeService().registerTimer(now + maxWaitMs, this);
        }
    }

    @Override
    public void onProcessingTime(long time) {
        flushTimer = null;
        flush();
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        // a watermark must not overtake the documents held here
        flush();
        super.processWatermark(mark);
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        flush();
    }

    @Override
    public void finish() throws Exception {
        flush();
        super.finish();
    }

    @Override
    public void close() throws Exception {
        try {
            if (flushTimer != null) {
                flushTimer.cancel(false);
                flushTimer = null;
            }
            // Held documents are dropped on a failure or cancel: the last checkpoint precedes them (see
            // prepareSnapshotPreBarrier), so the source replays them after a restore.
            if (embedder != null) {
                embedder.close();
                embedder = null;
            }
        } finally {
            super.close();
        }
    }

    /** Embeds the chunks of every held document in one call and emits the documents in arrival order. */
    private void flush() {
        if (flushTimer != null) {
            flushTimer.cancel(false);
            flushTimer = null;
        }
        if (pending.isEmpty()) {
            return;
        }
        List<PendingDocument> batch = new ArrayList<>(pending);
        pending.clear();
        pendingChunks = 0;
        List<float[]> vectors;
        try {
            vectors = embed(batch);
        } catch (EmbeddingException e) {
            if (batch.size() > 1) {
                LOG.warn("Embedding a batch of {} documents with {} failed; embedding them one by one to find the"
                        + " one(s) at fault: {}", batch.size(), embedder.modelId(), e.getMessage());
            }
            for (PendingDocument doc : batch) {
                emitAlone(doc, batch.size() == 1 ? e : null);
            }
            return;
        }
        int next = 0;
        for (PendingDocument doc : batch) {
            output.collect(new StreamRecord<>(indexed(doc.change(), doc.chunks(), vectors.subList(next,
                    next + doc.chunks().size()))));
            next += doc.chunks().size();
        }
    }

    /**
     * Emits one document of a failed batch: embedded on its own, or dead-lettered when that fails too.
     *
     * @param knownFailure the failure of this document's own call when it was already made, else null
     */
    private void emitAlone(PendingDocument doc, EmbeddingException knownFailure) {
        EmbeddingException failure = knownFailure;
        if (failure == null) {
            try {
                List<float[]> vectors = embed(List.of(doc));
                output.collect(new StreamRecord<>(indexed(doc.change(), doc.chunks(), vectors)));
                return;
            } catch (EmbeddingException e) {
                failure = e;
            }
        }
        LOG.warn("Embedding {} v{} ({} chunks, from {}) with {} failed; sending it to the dead-letter output: {}",
                doc.change().documentKey(), doc.change().version(), doc.chunks().size(), doc.change().position(),
                embedder.modelId(), failure.getMessage());
        output.collect(RejectedDocument.EMBED_FAILED,
                new StreamRecord<>(RejectedDocument.embeddingFailed(doc.change(), failure)));
    }

    /** One embedder call for the chunks of {@code docs}; the vectors in chunk order. */
    private List<float[]> embed(List<PendingDocument> docs) {
        List<String> texts = new ArrayList<>();
        for (PendingDocument doc : docs) {
            for (Chunk chunk : doc.chunks()) {
                texts.add(chunk.embeddingText());
            }
        }
        if (texts.isEmpty()) {
            return List.of();
        }
        List<float[]> vectors = embedder.embedPassages(texts);
        if (vectors.size() != texts.size()) {
            // a broken embedder, not a bad document: fail the task rather than dead-letter good input
            throw new IllegalStateException(embedder.modelId() + " returned " + vectors.size() + " vectors for "
                    + texts.size() + " texts, breaking the Embedder contract");
        }
        return vectors;
    }

    private static IndexedDocument indexed(DocumentChange change, List<Chunk> chunks, List<float[]> vectors) {
        List<EmbeddedChunk> embedded = new ArrayList<>(chunks.size());
        for (int i = 0; i < chunks.size(); i++) {
            embedded.add(EmbeddedChunk.of(chunks.get(i), vectors.get(i)));
        }
        return new IndexedDocument(change.collection(), change.docId(), change.version(), change.op(), embedded,
                change.eventTime(), change.position());
    }

    /** A document cut into chunks, waiting for its batch to be embedded. */
    private record PendingDocument(DocumentChange change, List<Chunk> chunks) {
    }
}
