package io.streamrag.ingest.internal;

import io.streamrag.schemas.DocumentOp;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets through only document changes newer than every change seen before for the same document.
 *
 * <p>Keyed by {@link DocumentChange#documentKey()}. Keeps the highest version seen per document in keyed state;
 * a change with a version lower than or equal to it is dropped (logged at DEBUG): redeliveries, duplicates and
 * late older versions. The state is checkpointed with the source offsets, so after a restore it matches the
 * replayed input.
 *
 * <p>Tombstones. A delete is remembered as a tombstone (its version, plus a processing-time timer) for
 * {@code tombstoneRetentionMs}, so that a late older upsert cannot resurrect the deleted document. A newer
 * upsert revives the document and cancels the tombstone. When the retention ends, the document's state is
 * cleared: a deleted document then costs no state, and an upsert of any version is accepted again, including
 * a late one older than the delete. The retention must therefore exceed the longest delay after which an older
 * event can still arrive. The highest version of a live (not deleted) document is kept for as long as it lives.
 */
public final class VersionGuard extends KeyedProcessFunction<String, DocumentChange, DocumentChange> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(VersionGuard.class);

    /** State name; part of the savepoint format together with the operator uid. */
    static final String HIGHEST_VERSION_STATE = "highest-version";
    /** State name: when the tombstone of a deleted document expires (processing time, ms); absent if live. */
    static final String TOMBSTONE_EXPIRY_STATE = "tombstone-expiry";

    private final long tombstoneRetentionMs;

    private transient ValueState<Long> highestVersion;
    private transient ValueState<Long> tombstoneExpiry;

    /** @param tombstoneRetentionMs how long a delete blocks older versions of its document, > 0 */
    public VersionGuard(long tombstoneRetentionMs) {
        if (tombstoneRetentionMs <= 0) {
            throw new IllegalArgumentException("tombstoneRetentionMs must be > 0, got " + tombstoneRetentionMs);
        }
        this.tombstoneRetentionMs = tombstoneRetentionMs;
    }

    @Override
    public void open(OpenContext openContext) {
        highestVersion = getRuntimeContext().getState(new ValueStateDescriptor<>(HIGHEST_VERSION_STATE, Types.LONG));
        tombstoneExpiry = getRuntimeContext().getState(new ValueStateDescriptor<>(TOMBSTONE_EXPIRY_STATE, Types.LONG));
    }

    @Override
    public void processElement(DocumentChange change, Context ctx, Collector<DocumentChange> out) throws Exception {
        Long highest = highestVersion.value();
        if (highest != null && change.version() <= highest) {
            LOG.debug("Dropping {} {} v{} from {}: version {} already seen{}", change.op(), change.documentKey(),
                    change.version(), change.position(), highest, tombstoneExpiry.value() != null ? " (deleted)" : "");
            return;
        }
        highestVersion.update(change.version());
        Long expiry = tombstoneExpiry.value();
        if (expiry != null) {
            ctx.timerService().deleteProcessingTimeTimer(expiry);
            tombstoneExpiry.clear();
        }
        if (change.op() == DocumentOp.DELETE) {
            long newExpiry = ctx.timerService().currentProcessingTime() + tombstoneRetentionMs;
            tombstoneExpiry.update(newExpiry);
            ctx.timerService().registerProcessingTimeTimer(newExpiry);
        }
        out.collect(change);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<DocumentChange> out) throws Exception {
        Long expiry = tombstoneExpiry.value();
        // a timer of a tombstone that a newer upsert or delete replaced is deleted, but compare anyway: timers and
        // state are restored separately, and clearing a live document's version would let old versions back in
        if (expiry != null && expiry == timestamp) {
            LOG.debug("Tombstone of {} v{} expired", ctx.getCurrentKey(), highestVersion.value());
            highestVersion.clear();
            tombstoneExpiry.clear();
        }
    }
}
