package io.streamrag.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamrag.schemas.ControlEvent;
import io.streamrag.schemas.ControlType;
import java.time.Instant;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class ControlEventDeduplicatorTest {

    @Test
    void eachDifferenceIsPublishedOnceEvenAcrossARestore() throws Exception {
        OperatorSubtaskState checkpoint;
        try (var harness = harness()) {
            harness.open();
            harness.processElement(event("docs", "3", 1), 0);
            harness.processElement(event("docs", "3", 2), 0); // the same difference from another writer, later
            harness.processElement(event("docs", "4", 3), 0); // another difference
            harness.processElement(event("other", "3", 4), 0); // another collection
            assertThat(harness.extractOutputValues()).extracting(e -> e.getCollection() + " " + e.getSettings()
                    .get("shards")).containsExactly("docs 3", "docs 4", "other 3");
            checkpoint = harness.snapshot(1, 0);
        }
        try (var restored = harness()) {
            restored.initializeState(checkpoint);
            restored.open();
            restored.processElement(event("docs", "3", 5), 0);
            restored.processElement(event("docs", "5", 6), 0);
            assertThat(restored.extractOutputValues()).extracting(e -> e.getSettings().get("shards"))
                    .containsExactly("5");
        }
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, ControlEvent, ControlEvent> harness()
            throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(new ControlEventDeduplicator()),
                ControlEventDeduplicator.key(), Types.STRING);
    }

    private static ControlEvent event(String collection, String shards, long time) {
        return ControlEvent.newBuilder()
                .setCollection(collection)
                .setType(ControlType.COLLECTION_SETTINGS_CHANGED)
                .setSettings(Map.of("shards", shards, "previous.shards", "2", "changed", "shards"))
                .setTime(Instant.ofEpochMilli(time))
                .build();
    }
}
