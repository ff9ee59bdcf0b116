package io.streamrag.ingest.internal;

import io.streamrag.core.store.VectorStore;
import io.streamrag.core.store.WriteResult;
import io.streamrag.schemas.DocumentOp;
import io.streamrag.schemas.IndexChange;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ScheduledFuture;
import org.apache.flink.api.common.operators.ProcessingTimeService.ProcessingTimeCallback;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
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
 * <p>Freshness metrics (in this operator's metric group): {@value #FRESHNESS_METRIC}, a histogram of
 * {@code commitTime - sourceEventTime} per change (document event to store commit visible to readers), and
 * {@value #ANNOUNCE_FRESHNESS_METRIC}, of the time from the document event to the completion of the checkpoint
 * after its announcement, which is when an exactly-once sink commits the announcement's Kafka transaction (the
 * sink's committer runs on the same notification, so this is a close lower bound).
 *
 * <p>Must run with parallelism 1 per index directory: the store holds one writer per shard directory. All
 * methods run on the task thread (Flink's mailbox), timers included, so no synchronisation is needed.
 */
public final class CommittingStoreWriter extends AbstractStreamOperator<IndexChange>
        implements OneInputStreamOperator<IndexedDocument, IndexChange>, ProcessingTimeCallback {
    private static final long serialVersionUID = 1L;

    /** Histogram metric: document event time to store commit, ms. */
    public static final String FRESHNESS_METRIC = "freshnessMs";
    /** Histogram metric: document event time to the completion of the checkpoint after the announcement, ms. */
    public static final String ANNOUNCE_FRESHNESS_METRIC = "announceFreshnessMs";
    /** Samples each freshness histogram keeps for its statistics. */
    private static final int HISTOGRAM_WINDOW = 1024;
    /**
     * Event times kept per checkpoint for {@value #ANNOUNCE_FRESHNESS_METRIC}: a sample, so that memory stays
     * bounded when checkpoints are slow or disabled.
     */
    private static final int MAX_AWAITING_SAMPLES = 10_000;
    /** Checkpoints whose completion is awaited for {@value #ANNOUNCE_FRESHNESS_METRIC}, at most. */
    private static final int MAX_AWAITING_CHECKPOINTS = 16;

    private final SerializableSupplier<VectorStore> storeFactory;
    private final long commitIntervalMs;
    private final int maxBatchDocuments;

    private transient VectorStore store;
    private transient List<Pending> pending;
    private transient ScheduledFuture<?> commitTimer;
    private transient Histogram freshness;
    private transient Histogram announceFreshness;
    /** Source event times (ms) of changes emitted since the last barrier. */
    private transient List<Long> emittedSinceBarrier;
    /** Source event times (ms) of emitted changes by the checkpoint whose completion publishes them. */
    private transient NavigableMap<Long, List<Long>> awaitingCheckpoint;

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
        emittedSinceBarrier = new ArrayList<>();
        awaitingCheckpoint = new TreeMap<>();
        freshness = getMetricGroup().histogram(FRESHNESS_METRIC, new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        announceFreshness = getMetricGroup().histogram(ANNOUNCE_FRESHNESS_METRIC,
                new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
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
        if (!emittedSinceBarrier.isEmpty()) {
            awaitingCheckpoint.put(checkpointId, emittedSinceBarrier);
            emittedSinceBarrier = new ArrayList<>();
            while (awaitingCheckpoint.size() > MAX_AWAITING_CHECKPOINTS) {
                awaitingCheckpoint.pollFirstEntry(); // checkpoints keep failing: drop the oldest samples
            }
        }
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
        super.notifyCheckpointComplete(checkpointId);
        long now = System.currentTimeMillis();
        // a completed checkpoint subsumes earlier ones that were aborted, so their changes are published too
        NavigableMap<Long, List<Long>> published = awaitingCheckpoint.headMap(checkpointId, true);
        for (List<Long> eventTimes : published.values()) {
            for (long eventTime : eventTimes) {
                announceFreshness.update(now - eventTime);
            }
        }
        published.clear();
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
            long eventTime = p.doc().sourceEventTime().toEpochMilli();
            freshness.update(commitTime.toEpochMilli() - eventTime);
            if (emittedSinceBarrier.size() < MAX_AWAITING_SAMPLES) {
                emittedSinceBarrier.add(eventTime);
            }
            output.collect(new StreamRecord<>(p.toIndexChange(epoch, commitTime)));
        }
        pending.clear();
    }

    /** The {@value #FRESHNESS_METRIC} histogram, for tests. */
    Histogram freshnessHistogram() {
        return freshness;
    }

    /** The {@value #ANNOUNCE_FRESHNESS_METRIC} histogram, for tests. */
    Histogram announceFreshnessHistogram() {
        return announceFreshness;
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
