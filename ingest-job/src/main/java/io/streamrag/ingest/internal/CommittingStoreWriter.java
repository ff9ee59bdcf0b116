package io.streamrag.ingest.internal;

import io.streamrag.core.store.VectorStore;
import io.streamrag.core.store.WriteResult;
import io.streamrag.schemas.DocumentOp;
import io.streamrag.schemas.IndexChange;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ScheduledFuture;
import org.apache.flink.api.common.operators.ProcessingTimeService.ProcessingTimeCallback;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.function.SerializableSupplier;

/**
 * Writes document versions into the store and announces them, commit before announce.
 *
 * <p>Each incoming {@link IndexedDocument} is applied to the store at once ({@code replaceDocument} or
 * {@code deleteDocument}) and its {@link IndexChange} is held back. The held changes are emitted only after
 * {@link VectorStore#commit()} has returned, which by the store's contract makes them durable and visible to
 * every reader. A commit happens
 * <ul>
 *   <li>when the first held change has waited {@code commitIntervalMs} (a processing-time timer),</li>
 *   <li>when {@code maxBatchDocuments} changes are held,</li>
 *   <li>before every checkpoint barrier ({@link #prepareSnapshotPreBarrier}), so a checkpoint never covers a
 *       write that is not committed and announced, and the operator needs no state of its own,</li>
 *   <li>at the end of a bounded input ({@link #finish}).</li>
 * </ul>
 * The changes go out in arrival order, so per document in version order; every change of one commit carries
 * that commit's epoch. A document may appear twice in one commit (v2 then v3): both are announced and readers
 * see v3.
 *
 * <p>Must run with parallelism 1 per index directory: the store holds one writer per shard directory. All
 * methods run on the task thread (Flink's mailbox), timers included, so no synchronisation is needed.
 */
public final class CommittingStoreWriter extends AbstractStreamOperator<IndexChange>
        implements OneInputStreamOperator<IndexedDocument, IndexChange>, ProcessingTimeCallback {
    private static final long serialVersionUID = 1L;

    private final SerializableSupplier<VectorStore> storeFactory;
    private final long commitIntervalMs;
    private final int maxBatchDocuments;

    private transient VectorStore store;
    private transient List<Pending> pending;
    private transient ScheduledFuture<?> commitTimer;

    /**
     * @param storeFactory      opens the writer-mode store, once, in {@link #open}; this operator owns and closes it
     * @param commitIntervalMs  how long a written document may wait for a commit, > 0
     * @param maxBatchDocuments held changes that force a commit, > 0
     */
    public CommittingStoreWriter(SerializableSupplier<VectorStore> storeFactory, long commitIntervalMs,
                                 int maxBatchDocuments) {
        this.storeFactory = Objects.requireNonNull(storeFactory, "storeFactory");
        if (commitIntervalMs <= 0) {
            throw new IllegalArgumentException("commitIntervalMs must be > 0, got " + commitIntervalMs);
        }
        if (maxBatchDocuments <= 0) {
            throw new IllegalArgumentException("maxBatchDocuments must be > 0, got " + maxBatchDocuments);
        }
        this.commitIntervalMs = commitIntervalMs;
        this.maxBatchDocuments = maxBatchDocuments;
    }

    @Override
    public void open() throws Exception {
        super.open();
        pending = new ArrayList<>();
        store = storeFactory.get();
    }

    @Override
    public void processElement(StreamRecord<IndexedDocument> element) {
        IndexedDocument doc = element.getValue();
        WriteResult result = doc.op() == DocumentOp.DELETE
                ? store.deleteDocument(doc.collection(), doc.docId())
                : store.replaceDocument(doc.collection(), doc.docId(), doc.indexedChunks());
        pending.add(new Pending(doc, result));
        if (pending.size() >= maxBatchDocuments) {
            commitAndAnnounce();
        } else if (commitTimer == null) {
            long now = getProcessingTimeService().getCurrentProcessingTime();
            commitTimer = getProcessingTimeService().registerTimer(now + commitIntervalMs, this);
        }
    }

    @Override
    public void onProcessingTime(long time) {
        commitTimer = null;
        commitAndAnnounce();
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        commitAndAnnounce();
    }

    @Override
    public void finish() throws Exception {
        commitAndAnnounce();
        super.finish();
    }

    @Override
    public void close() throws Exception {
        try {
            if (commitTimer != null) {
                commitTimer.cancel(false);
                commitTimer = null;
            }
            if (store != null) {
                // On a failure, held changes are neither committed (closing discards uncommitted writes) nor
                // announced: the source rewinds to the last checkpoint, which precedes them (see
                // prepareSnapshotPreBarrier), so they are written, committed and announced again.
                store.close();
                store = null;
            }
        } finally {
            super.close();
        }
    }

    /** Commits the store if anything is held, then emits the held changes. */
    private void commitAndAnnounce() {
        if (commitTimer != null) {
            commitTimer.cancel(false);
            commitTimer = null;
        }
        if (pending.isEmpty()) {
            return;
        }
        long epoch = store.commit();
        Instant commitTime = Instant.now();
        for (Pending p : pending) {
            output.collect(new StreamRecord<>(p.toIndexChange(epoch, commitTime)));
        }
        pending.clear();
    }

    /** A write applied to the store but not yet committed. */
    private record Pending(IndexedDocument doc, WriteResult result) {
        IndexChange toIndexChange(long epoch, Instant commitTime) {
            return IndexChange.newBuilder()
                    .setCollection(doc.collection())
                    .setDocId(doc.docId())
                    .setVersion(doc.version())
                    .setOp(doc.op())
                    .setAddedChunkIds(new ArrayList<>(result.addedChunkIds()))
                    .setRemovedChunkIds(new ArrayList<>(result.removedChunkIds()))
                    .setCommitEpoch(epoch)
                    .setCommitTime(commitTime)
                    .setSourceEventTime(doc.sourceEventTime())
                    .build();
        }
    }
}
