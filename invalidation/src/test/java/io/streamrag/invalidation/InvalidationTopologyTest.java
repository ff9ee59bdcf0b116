package io.streamrag.invalidation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamrag.core.cache.CacheInvalidator;
import io.streamrag.core.cache.CacheUnavailableException;
import io.streamrag.schemas.AvroCodec;
import io.streamrag.schemas.ControlEvent;
import io.streamrag.schemas.ControlType;
import io.streamrag.schemas.DocumentOp;
import io.streamrag.schemas.IndexChange;
import io.streamrag.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.errors.StreamsException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InvalidationTopologyTest {
    private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");

    @TempDir
    Path stateDir;

    /** Calls the topology made, as "method collection[/docId]"; fails while {@code failures} is positive. */
    private final List<String> calls = new CopyOnWriteArrayList<>();
    private final AtomicInteger failures = new AtomicInteger();
    private final CacheInvalidator invalidator = new CacheInvalidator() {
        @Override
        public void documentChanged(String collection, String docId) {
            record("document " + collection + "/" + docId);
        }

        @Override
        public void collectionChanged(String collection) {
            record("settings " + collection);
        }

        @Override
        public void embeddingModelChanged(String collection) {
            record("model " + collection);
        }

        private void record(String call) {
            if (failures.getAndDecrement() > 0) {
                throw new CacheUnavailableException("Redis down", new RuntimeException("connection refused"));
            }
            calls.add(call);
        }
    };

    private final InvalidationMetrics metrics = new InvalidationMetrics();
    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> changes;
    private TestInputTopic<byte[], byte[]> control;

    @BeforeEach
    void startDriver() {
        InvalidationSettings settings = InvalidationSettings.builder()
                .bootstrapServers("unused:9092")
                .stateDir(stateDir)
                .retryBackoff(Duration.ofMillis(1))
                .maxRetryTime(Duration.ofMillis(300))
                .clock(Clock.fixed(NOW, ZoneOffset.UTC))
                .build();
        driver = new TopologyTestDriver(InvalidationTopology.build(settings, invalidator, metrics),
                settings.toStreamsProperties());
        changes = driver.createInputTopic(Topics.INDEX_CHANGES.name(), new ByteArraySerializer(),
                new ByteArraySerializer());
        control = driver.createInputTopic(Topics.CONTROL.name(), new ByteArraySerializer(), new ByteArraySerializer());
        failures.set(0);
    }

    @AfterEach
    void closeDriver() {
        driver.close();
    }

    private static IndexChange change(String collection, String docId, long version, DocumentOp op,
                                      Instant commitTime) {
        return IndexChange.newBuilder()
                .setCollection(collection)
                .setDocId(docId)
                .setVersion(version)
                .setOp(op)
                .setAddedChunkIds(op == DocumentOp.UPSERT ? List.of(collection + "/" + docId + "#0@" + version)
                        : List.of())
                .setRemovedChunkIds(List.of(collection + "/" + docId + "#0@" + (version - 1)))
                .setCommitEpoch(7)
                .setCommitTime(commitTime)
                .setSourceEventTime(commitTime.minusMillis(500))
                .build();
    }

    private void pipe(IndexChange change) {
        changes.pipeInput(bytes(Topics.documentKey(change.getCollection(), change.getDocId())),
                AvroCodec.of(IndexChange.class).encode(change));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void updatesAndDeletesInvalidateTheirDocumentAndRecordTheLag() {
        pipe(change("docs", "guide/intro.md", 2, DocumentOp.UPSERT, NOW.minusMillis(40)));
        pipe(change("docs", "faq", 3, DocumentOp.DELETE, NOW.minusMillis(10)));

        assertThat(calls).containsExactly("document docs/guide/intro.md", "document docs/faq");
        assertThat(metrics.indexChanges()).isEqualTo(2);
        assertThat(metrics.lag().getTotalCount()).isEqualTo(2);
        assertThat(metrics.lag().getMaxValue()).isEqualTo(40);
        assertThat(metrics.lag().getMinValue()).isEqualTo(10);
    }

    @Test
    void controlEventsInvalidateTheMatrixRows() {
        AvroCodec<ControlEvent> codec = AvroCodec.of(ControlEvent.class);
        control.pipeInput(bytes("docs"), codec.encode(ControlEvent.newBuilder().setCollection("docs")
                .setType(ControlType.COLLECTION_SETTINGS_CHANGED).setSettings(Map.of("shards", "8"))
                .setTime(NOW).build()));
        control.pipeInput(bytes("docs"), codec.encode(ControlEvent.newBuilder().setCollection("docs")
                .setType(ControlType.EMBEDDING_MODEL_CHANGED).setSettings(Map.of("model", "bge-small-en-v1.5"))
                .setTime(NOW).build()));

        assertThat(calls).containsExactly("settings docs", "model docs");
        assertThat(metrics.controlEvents()).isEqualTo(2);
    }

    @Test
    void anUndecodableChangeIsStillInvalidatedFromItsKey() {
        changes.pipeInput(bytes("docs/broken"), bytes("not avro"));
        changes.pipeInput(bytes("docs/gone"), (byte[]) null);

        assertThat(calls).containsExactly("document docs/broken", "document docs/gone");
        assertThat(metrics.undecodableRecords()).isEqualTo(2);
        assertThat(metrics.lag().getTotalCount()).isZero(); // no commit time to measure from
    }

    @Test
    void aRecordWithNeitherValueNorKeyIsSkippedAndProcessingContinues() {
        changes.pipeInput((byte[]) null, bytes("not avro"));
        changes.pipeInput(bytes("nocollection"), bytes("not avro"));
        control.pipeInput((byte[]) null, bytes("not avro"));
        pipe(change("docs", "a", 2, DocumentOp.UPSERT, NOW));

        assertThat(calls).containsExactly("document docs/a");
    }

    @Test
    void anUnreachableCacheIsRetriedUntilItAcceptsTheInvalidation() {
        failures.set(3);

        pipe(change("docs", "a", 2, DocumentOp.UPSERT, NOW));

        assertThat(calls).containsExactly("document docs/a");
        assertThat(metrics.retries()).isEqualTo(3);
    }

    @Test
    void aCacheThatStaysDownFailsTheThreadInsteadOfDroppingTheChange() {
        failures.set(Integer.MAX_VALUE);

        assertThatThrownBy(() -> pipe(change("docs", "a", 2, DocumentOp.UPSERT, NOW)))
                .isInstanceOf(StreamsException.class)
                .hasStackTraceContaining("could not invalidate document docs/a");
        assertThat(calls).isEmpty();
    }

    @Test
    void theTopologyIsStatelessWithNamedNodes() {
        InvalidationSettings settings = InvalidationSettings.builder().bootstrapServers("unused:9092").build();
        TopologyDescription description = InvalidationTopology.build(settings, invalidator).describe();

        assertThat(description.globalStores()).isEmpty();
        assertThat(description.subtopologies()).hasSize(2);
        assertThat(description.toString()).contains(InvalidationTopology.INDEX_CHANGES_SOURCE,
                InvalidationTopology.INVALIDATE_DOCUMENTS, InvalidationTopology.CONTROL_SOURCE,
                InvalidationTopology.INVALIDATE_COLLECTIONS, Topics.INDEX_CHANGES.name(), Topics.CONTROL.name());
        description.subtopologies().forEach(s -> s.nodes().forEach(n -> {
            if (n instanceof TopologyDescription.Processor p) {
                assertThat(p.stores()).isEmpty();
            }
        }));
    }

    @Test
    void settingsRejectBadValuesNamingThem() {
        assertThatThrownBy(() -> InvalidationSettings.builder().retryBackoff(Duration.ZERO))
                .hasMessageContaining("retryBackoff").hasMessageContaining("PT0S");
        assertThatThrownBy(() -> InvalidationSettings.builder().bootstrapServers("x").controlTopic("t")
                .indexChangesTopic("t").build()).hasMessageContaining("must differ");
        assertThatThrownBy(() -> InvalidationSettings.builder().build()).hasMessageContaining("bootstrapServers");
    }
}
