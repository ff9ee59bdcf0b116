package io.streamrag.ingest.internal;

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
 * late older versions. Deletes record their version too, so a late older upsert cannot resurrect a deleted
 * document. The state is checkpointed with the source offsets, so after a restore it matches the replayed
 * input.
 */
public final class VersionGuard extends KeyedProcessFunction<String, DocumentChange, DocumentChange> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(VersionGuard.class);

    /** State name; part of the savepoint format together with the operator uid. */
    static final String HIGHEST_VERSION_STATE = "highest-version";

    private transient ValueState<Long> highestVersion;

    @Override
    public void open(OpenContext openContext) {
        highestVersion = getRuntimeContext().getState(new ValueStateDescriptor<>(HIGHEST_VERSION_STATE, Types.LONG));
    }

    @Override
    public void processElement(DocumentChange change, Context ctx, Collector<DocumentChange> out) throws Exception {
        Long highest = highestVersion.value();
        if (highest != null && change.version() <= highest) {
            LOG.debug("Dropping {} {} v{} from {}: version {} already seen", change.op(), change.documentKey(),
                    change.version(), change.position(), highest);
            return;
        }
        highestVersion.update(change.version());
        out.collect(change);
    }
}
