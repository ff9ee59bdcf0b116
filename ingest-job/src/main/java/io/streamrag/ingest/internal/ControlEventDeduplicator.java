package io.streamrag.ingest.internal;

import io.streamrag.schemas.ControlEvent;
import java.util.TreeMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Lets the first {@link ControlEvent} of each difference through and drops the repeats: every store-writer
 * subtask that writes a collection compares its settings and may publish the same difference. Keyed by
 * {@link #key} (the collection and its settings, not the time), with a flag per key in keyed state, so a restart
 * from a checkpoint does not publish a difference again either.
 */
public final class ControlEventDeduplicator extends KeyedProcessFunction<String, ControlEvent, ControlEvent> {
    private static final long serialVersionUID = 1L;

    private transient ValueState<Boolean> published;

    /** The key: one per collection and settings difference. */
    public static KeySelector<ControlEvent, String> key() {
        return event -> event.getCollection() + " " + event.getType() + " " + new TreeMap<>(event.getSettings());
    }

    @Override
    public void open(OpenContext context) {
        published = getRuntimeContext().getState(new ValueStateDescriptor<>("published", Types.BOOLEAN));
    }

    @Override
    public void processElement(ControlEvent event, Context ctx, Collector<ControlEvent> out) throws Exception {
        if (published.value() == null) {
            published.update(true);
            out.collect(event);
        }
    }
}
