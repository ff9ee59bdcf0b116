package io.streamrag.ingest.internal;

import io.streamrag.core.store.CollectionProfile;
import io.streamrag.core.store.ShardOwnership;
import io.streamrag.core.store.VectorStore;
import io.streamrag.core.store.WriteResult;
import io.streamrag.schemas.ControlEvent;
import io.streamrag.schemas.DocumentOp;
import io.streamrag.schemas.IndexChange;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ScheduledFuture;
import org.apache.flink.api.common.TaskInfo;
import org.apache.flink.api.common.operators.ProcessingTimeService.ProcessingTimeCallback;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;
import org.apache.flink.util.function.SerializableSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * <p>Collection settings (when constructed with {@link ConfiguredCollectionSettings}): on the first document of
 * each collection since {@link #open}, the settings the store recorded for it are compared with the job's. A
 * difference is published once, as a {@link ControlEvent} on {@link #CONTROL_EVENTS} (the operator keeps the
 * events it published in its state, so a restart from a checkpoint does not publish them again). The store keeps
 * the recorded shard count (documents are never re-routed) and chunking changes apply to documents written from
 * then on. A different embedding model is refused: the collection keeps its recorded model, upserts into it are
 * not written and not announced (an ERROR names the collection and both models; metric
 * {@value #REFUSED_METRIC} counts them), deletes are still applied. Mixing two models' vectors in one collection
 * would make dense search rank by meaningless similarities; the remedy is to replay into a new collection.
 *
 * <p>Parallelism: subtask {@code i} of {@code n} opens its store as {@code new ShardOwnership(i, n)} (see
 * {@link StoreWriterFactory}) and must receive exactly the documents of the shards that share holds, which
 * {@link ShardKeySelector} with {@link ShardOwnerPartitioner} ensures; the Lucene store refuses any other
 * document and the job fails, naming the owner. Each subtask commits and announces only its own writes, so
 * commit before announce holds per subtask; an epoch orders the commits of one subtask. Collection settings are
 * compared by every subtask that writes the collection, so several may publish the same {@link ControlEvent}:
 * the job lets one of them through (see {@code ControlEventDeduplicator}). All methods run on the task thread
 * (Flink's mailbox), timers included, so no synchronisation is needed.
 */
public final class CommittingStoreWriter extends AbstractStreamOperator<IndexChange>
        implements OneInputStreamOperator<IndexedDocument, IndexChange>, ProcessingTimeCallback {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(CommittingStoreWriter.class);

    /** Announcements of collection settings that differ from the recorded ones, once per difference. */
    public static final OutputTag<ControlEvent> CONTROL_EVENTS =
            new OutputTag<>("control-events", TypeInformation.of(ControlEvent.class));
    /** Counter metric: upserts not written because their collection records another embedding model. */
    public static final String REFUSED_METRIC = "modelMismatchRefusedDocuments";

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

    private final StoreWriterFactory storeFactory;
    private final long commitIntervalMs;
    private final int maxBatchDocuments;
    /** The job's collection settings; null: no comparison with the recorded ones. */
    private final ConfiguredCollectionSettings configured;

    private transient VectorStore store;
    /** Collections whose recorded settings were compared since {@link #open}. */
    private transient Set<String> checkedCollections;
    /** Collections that record another embedding model: their upserts are refused. */
    private transient Set<String> refusedCollections;
    /** Fingerprints (collection and settings) of the control events published, kept in operator state. */
    private transient Set<String> publishedChanges;
    private transient ListState<String> publishedChangesState;
    private transient Counter refused;
    private transient List<Pending> pending;
    private transient ScheduledFuture<?> commitTimer;
    private transient Histogram freshness;
    private transient Histogram announceFreshness;
    /** Source event times (ms) of changes emitted since the last barrier. */
    private transient List<Long> emittedSinceBarrier;
    /** Source event times (ms) of emitted changes by the checkpoint whose completion publishes them. */
    private transient NavigableMap<Long, List<Long>> awaitingCheckpoint;

    /**
     * A writer over a store without shards to share (a test store, or one that runs at parallelism 1).
     *
     * @param storeFactory      opens the writer-mode store, once, in {@link #open}; this operator owns and closes it
     * @param commitIntervalMs  how long a written document may wait for a commit, > 0
     * @param maxBatchDocuments held changes that force a commit, > 0
     */
    public CommittingStoreWriter(SerializableSupplier<VectorStore> storeFactory, long commitIntervalMs,
                                 int maxBatchDocuments) {
        this(ignoringOwnership(storeFactory), commitIntervalMs, maxBatchDocuments, null);
    }

    /**
     * A writer that opens its store with its subtask's share of the shards.
     *
     * @param storeFactory      opens the writer-mode store, once, in {@link #open}; this operator owns and closes it
     * @param commitIntervalMs  how long a written document may wait for a commit, > 0
     * @param maxBatchDocuments held changes that force a commit, > 0
     */
    public CommittingStoreWriter(StoreWriterFactory storeFactory, long commitIntervalMs, int maxBatchDocuments) {
        this(storeFactory, commitIntervalMs, maxBatchDocuments, null);
    }

    private static StoreWriterFactory ignoringOwnership(SerializableSupplier<VectorStore> supplier) {
        Objects.requireNonNull(supplier, "storeFactory");
        return ownership -> supplier.get();
    }

    /**
     * A writer that also compares the job's collection settings with the recorded ones (see the class comment).
     *
     * @param storeFactory      opens the writer-mode store, once, in {@link #open}; this operator owns and closes it
     * @param commitIntervalMs  how long a written document may wait for a commit, > 0
     * @param maxBatchDocuments held changes that force a commit, > 0
     * @param configured        the job's collection settings; null to compare nothing
     */
    public CommittingStoreWriter(StoreWriterFactory storeFactory, long commitIntervalMs,
                                 int maxBatchDocuments, ConfiguredCollectionSettings configured) {
        this.configured = configured;
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
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        publishedChangesState = context.getOperatorStateStore()
                .getListState(new ListStateDescriptor<>("published-control-events", Types.STRING));
        publishedChanges = new HashSet<>();
        for (String published : publishedChangesState.get()) {
            publishedChanges.add(published);
        }
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        publishedChangesState.update(new ArrayList<>(publishedChanges));
    }

    @Override
    public void open() throws Exception {
        super.open();
        checkedCollections = new HashSet<>();
        refusedCollections = new HashSet<>();
        refused = getMetricGroup().counter(REFUSED_METRIC);
        pending = new ArrayList<>();
        emittedSinceBarrier = new ArrayList<>();
        awaitingCheckpoint = new TreeMap<>();
        freshness = getMetricGroup().histogram(FRESHNESS_METRIC, new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        announceFreshness = getMetricGroup().histogram(ANNOUNCE_FRESHNESS_METRIC,
                new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        TaskInfo task = getRuntimeContext().getTaskInfo();
        ShardOwnership ownership = new ShardOwnership(task.getIndexOfThisSubtask(),
                task.getNumberOfParallelSubtasks());
        store = storeFactory.open(ownership);
        LOG.info("store writer {} opened its store", ownership);
    }

    @Override
    public void processElement(StreamRecord<IndexedDocument> element) {
        IndexedDocument doc = element.getValue();
        if (configured != null && checkedCollections.add(doc.collection())) {
            compareSettings(doc.collection());
        }
        if (doc.op() != DocumentOp.DELETE && refusedCollections.contains(doc.collection())) {
            refused.inc();
            LOG.debug("refused {}/{} v{} ({}): collection records another embedding model", doc.collection(),
                    doc.docId(), doc.version(), doc.position());
            return;
        }
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
                VectorStore closing = store;
                store = null;
                closeDiscarding(closing);
            }
        } finally {
            super.close();
        }
    }

    /**
     * Closes the store; a failure is logged, not thrown. Closing loses nothing committed, and what it discards is
     * written again from the last checkpoint. The usual failure is Flink's cancellation: it interrupts the task
     * thread, an interrupt during Lucene's check of a shard's {@code write.lock} closes the lock's channel (the OS
     * releases the lock with it), and the rollback in {@code IndexWriter.close} then finds its lock invalid.
     * Thrown from here, that would turn every cancellation or failover that races a commit into a fatal error of
     * the whole TaskManager.
     */
    private void closeDiscarding(VectorStore closing) {
        try {
            closing.close();
        } catch (RuntimeException e) {
            LOG.warn("closing the store of store writer {} of {} failed; it discarded its uncommitted writes, which "
                    + "are written again from the last checkpoint", getRuntimeContext().getTaskInfo()
                    .getIndexOfThisSubtask(), getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks(), e);
        }
    }

    /** Compares the recorded settings of {@code collection}, if any, with the job's; see the class comment. */
    private void compareSettings(String collection) {
        Optional<CollectionProfile> recorded = store.recordedSettings(collection);
        if (recorded.isEmpty()) {
            return; // created by this writer with the job's settings, or a store that records none
        }
        if (configured.modelDiffers(recorded.get())) {
            refusedCollections.add(collection);
            LOG.error("collection '{}' holds vectors of embedding model {}, this job embeds with {}: refusing its "
                    + "upserts (deletes still apply), since mixing models breaks dense search. Replay the "
                    + "documents into a new collection, or run with --model {}", collection,
                    recorded.get().embeddingModelId().orElseThrow(), configured.embeddingModelId(),
                    recorded.get().embeddingModelId().orElseThrow());
        }
        Optional<ControlEvent> change = configured.changeFrom(collection, recorded.get(), Instant.now());
        if (change.isPresent() && publishedChanges.add(collection + new TreeMap<>(change.get().getSettings()))) {
            LOG.info("collection '{}': configured settings differ from the recorded ones, publishing {} {}",
                    collection, change.get().getType(), change.get().getSettings());
            output.collect(CONTROL_EVENTS, new StreamRecord<>(change.get()));
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
