package io.streamrag.ingest;

import io.streamrag.core.embed.EmbeddingModel;
import io.streamrag.ingest.internal.ChunkEmbedder;
import io.streamrag.ingest.internal.CommittingStoreWriter;
import io.streamrag.ingest.internal.DocumentChange;
import io.streamrag.ingest.internal.DocumentDecoder;
import io.streamrag.ingest.internal.IndexChangeKeySchema;
import io.streamrag.ingest.internal.IndexedDocument;
import io.streamrag.ingest.internal.LuceneStoreFactory;
import io.streamrag.ingest.internal.OnnxEmbedderFactory;
import io.streamrag.ingest.internal.RawDocumentDeserializer;
import io.streamrag.ingest.internal.VersionGuard;
import io.streamrag.schemas.AvroFlinkSchema;
import io.streamrag.schemas.IndexChange;
import java.util.Objects;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ingest job: document events in, chunks embedded into the sharded store, one {@link IndexChange} out per
 * document version after the store commit that made it visible.
 *
 * <pre>
 * rag.documents ─► decode ─► version-guard ─► chunk-embed ─► store-writer (commit, then announce) ─► rag.index-changes
 *                    │ (keyed by collection/docId)            (parallelism 1)
 *                    └─ undecodable / invalid: WARN + skip (side output for the DLQ)
 * </pre>
 *
 * <p>{@link #defineWorkflow} is the pipeline as a function of its source and sink (tests pass a bounded source
 * and a collecting sink); {@link #start} wires the real Kafka connectors; {@link #main} parses flags (see
 * {@link IngestSettings}) and runs it.
 *
 * <p>Guarantees: the index is a fold of the document log (invariant 1: version guard in keyed state,
 * idempotent writes by chunk id, a checkpoint only after everything before its barrier is committed), and an
 * {@code IndexChange} is emitted only after the commit that made it visible (invariant 2). Announcements are
 * at least once: after a failure, changes since the last checkpoint are written and announced again.
 */
public final class IngestJob {
    private static final Logger LOG = LoggerFactory.getLogger(IngestJob.class);

    /** The job name shown by Flink. */
    public static final String JOB_NAME = "streamrag-ingest";

    /** An Avro type (flink-avro's AvroTypeInfo): Flink serializes it with its Avro schema, not with Kryo. */
    private static final TypeInformation<IndexChange> INDEX_CHANGE_TYPE = TypeInformation.of(IndexChange.class);

    private IngestJob() {
    }

    /**
     * Adds the ingest pipeline from {@code documents} to {@code changes} to {@code env}; runs nothing.
     *
     * <p>Every operator is named and has a uid (kept stable so that savepoints survive upgrades). The store
     * writer and the sink run with parallelism 1: one writer per index directory, and one ordered stream of
     * announcements; decoding, the version guard and embedding use the environment's parallelism.
     *
     * @param env       the environment the pipeline is added to
     * @param documents the raw document records, in log order per document
     * @param changes   receives one {@link IndexChange} per applied document version, after its commit
     * @param settings  the job settings
     */
    public static void defineWorkflow(StreamExecutionEnvironment env, DataStream<RawDocument> documents,
                                      Sink<IndexChange> changes, IngestSettings settings) {
        Objects.requireNonNull(env, "env");
        Objects.requireNonNull(documents, "documents");
        Objects.requireNonNull(changes, "changes");
        Objects.requireNonNull(settings, "settings");

        // Same parallelism as the source, so this is a forward edge: a rebalance here could reorder the
        // versions of one document before the version guard sees them.
        SingleOutputStreamOperator<DocumentChange> decoded = documents
                .process(new DocumentDecoder())
                .name("decode")
                .uid("decode")
                .setParallelism(documents.getParallelism());

        DataStream<DocumentChange> newest = decoded
                .keyBy(DocumentChange::documentKey, Types.STRING)
                .process(new VersionGuard())
                .name("version-guard")
                .uid("version-guard");

        // Same parallelism as the guard, so this is a forward (chained) edge: per-document order is kept.
        DataStream<IndexedDocument> embedded = newest
                .process(new ChunkEmbedder(
                        new OnnxEmbedderFactory(settings.embeddingModelId(), settings.embedThreads()),
                        settings.chunkMaxTokens(), settings.chunkOverlapTokens()))
                .name("chunk-embed")
                .uid("chunk-embed");

        int dimension = EmbeddingModel.fromId(settings.embeddingModelId()).dimension();
        SingleOutputStreamOperator<IndexChange> announced = embedded
                .transform("store-writer", INDEX_CHANGE_TYPE, new CommittingStoreWriter(
                        new LuceneStoreFactory(settings.indexDir(), settings.shardsPerCollection(), dimension, false),
                        settings.commitIntervalMs(), settings.maxBatchDocuments()))
                .uid("store-writer")
                .setParallelism(1)
                .setMaxParallelism(1);

        announced.sinkTo(changes)
                .name("index-changes")
                .uid("index-changes")
                .setParallelism(1);
    }

    /**
     * Builds the Kafka source and sink, enables checkpointing and submits the job without waiting for it.
     *
     * <p>The source reads {@link IngestSettings#documentsTopic()} as group {@link IngestSettings#groupId()},
     * from the committed offsets (committed on each checkpoint), or from the earliest or latest offset when
     * there are none. The sink writes to {@link IngestSettings#indexChangesTopic()}, keyed by
     * {@code collection/docId}, at least once. Checkpoints are aligned (exactly-once mode): the version guard's
     * state must match the source offsets of the same checkpoint.
     *
     * @return the client of the running job; the caller decides whether to wait for or cancel it
     */
    public static JobClient start(StreamExecutionEnvironment env, IngestSettings settings) throws Exception {
        defineKafkaJob(env, settings);
        LOG.info("Starting {} with {}", JOB_NAME, settings);
        return env.executeAsync(JOB_NAME);
    }

    /** Everything {@link #start} does except submitting: checkpointing, the Kafka source and sink, the pipeline. */
    static void defineKafkaJob(StreamExecutionEnvironment env, IngestSettings settings) {
        Objects.requireNonNull(env, "env");
        Objects.requireNonNull(settings, "settings");
        env.enableCheckpointing(settings.checkpointIntervalMs(), CheckpointingMode.EXACTLY_ONCE);
        DataStream<RawDocument> documents = env
                .fromSource(kafkaSource(settings), WatermarkStrategy.noWatermarks(), "documents")
                .uid("documents");
        defineWorkflow(env, documents, kafkaSink(settings), settings);
    }

    @SuppressWarnings("deprecation") // the connector still takes kafka-clients' OffsetResetStrategy
    static KafkaSource<RawDocument> kafkaSource(IngestSettings settings) {
        return KafkaSource.<RawDocument>builder()
                .setBootstrapServers(settings.bootstrapServers())
                .setTopics(settings.documentsTopic())
                .setGroupId(settings.groupId())
                .setStartingOffsets(OffsetsInitializer.committedOffsets(
                        settings.startFromEarliest() ? OffsetResetStrategy.EARLIEST : OffsetResetStrategy.LATEST))
                .setDeserializer(new RawDocumentDeserializer())
                .setProperty("commit.offsets.on.checkpoint", "true")
                .build();
    }

    static KafkaSink<IndexChange> kafkaSink(IngestSettings settings) {
        return KafkaSink.<IndexChange>builder()
                .setBootstrapServers(settings.bootstrapServers())
                .setRecordSerializer(KafkaRecordSerializationSchema.<IndexChange>builder()
                        .setTopic(settings.indexChangesTopic())
                        .setKeySerializationSchema(new IndexChangeKeySchema())
                        .setValueSerializationSchema(AvroFlinkSchema.of(IndexChange.class))
                        .build())
                // Exactly-once comes later; it needs transaction.timeout.ms <= 900000 (see DESIGN.md).
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .build();
    }

    /**
     * Runs the job with flags parsed by {@link IngestSettings#fromArgs}, e.g.
     * {@code --bootstrap localhost:9092 --index-dir /var/lib/streamrag/index}. Waits for the job when the
     * client is attached (a local run or {@code flink run}); returns after submission when detached
     * ({@code flink run -d}). Exits with status 2 and a one-line reason on bad flags.
     */
    public static void main(String[] args) throws Exception {
        IngestSettings settings;
        try {
            settings = IngestSettings.fromArgs(args);
        } catch (IllegalArgumentException e) {
            System.err.println("streamrag-ingest: " + e.getMessage());
            System.exit(2);
            return;
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        JobClient client = start(env, settings);
        LOG.info("Submitted {} as job {}", JOB_NAME, client.getJobID());
        // `flink run -d` sets attached=false; a local run leaves it unset and should block like `flink run`.
        boolean attached = env.getConfiguration().getOptional(DeploymentOptions.ATTACHED).orElse(true);
        if (attached) {
            client.getJobExecutionResult().get();
        }
    }
}
