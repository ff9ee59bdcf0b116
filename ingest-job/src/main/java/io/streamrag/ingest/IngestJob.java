package io.streamrag.ingest;

import io.streamrag.core.embed.Embedder;
import io.streamrag.core.embed.EmbeddingModel;
import io.streamrag.ingest.internal.ChunkEmbedder;
import io.streamrag.ingest.internal.CommittingStoreWriter;
import io.streamrag.ingest.internal.ConfiguredCollectionSettings;
import io.streamrag.ingest.internal.ControlEventDeduplicator;
import io.streamrag.ingest.internal.ControlEventKeySchema;
import io.streamrag.ingest.internal.DeadLetterKeySchema;
import io.streamrag.ingest.internal.DeadLetterMapper;
import io.streamrag.ingest.internal.DocumentChange;
import io.streamrag.ingest.internal.DocumentDecoder;
import io.streamrag.ingest.internal.IndexChangeKeySchema;
import io.streamrag.ingest.internal.IndexedDocument;
import io.streamrag.core.store.StoreSettings;
import io.streamrag.ingest.internal.LuceneStoreFactory;
import io.streamrag.ingest.internal.NetworkedStoreFactory;
import io.streamrag.ingest.internal.StoreWriterFactory;
import io.streamrag.ingest.internal.OnnxEmbedderFactory;
import io.streamrag.ingest.internal.RawDocumentDeserializer;
import io.streamrag.ingest.internal.RejectedDocument;
import io.streamrag.ingest.internal.RetryingEmbedderFactory;
import io.streamrag.ingest.internal.ShardKeySelector;
import io.streamrag.ingest.internal.ShardOwnerPartitioner;
import io.streamrag.ingest.internal.VersionGuard;
import io.streamrag.schemas.AvroFlinkSchema;
import io.streamrag.schemas.ControlEvent;
import io.streamrag.schemas.DeadLetter;
import io.streamrag.schemas.IndexChange;
import io.streamrag.schemas.Topics;
import java.util.Objects;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.client.program.StreamContextEnvironment;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.KafkaSinkBuilder;
import org.apache.flink.connector.kafka.sink.TransactionNamingStrategy;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.function.SerializableSupplier;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ingest job: document events in, chunks embedded into the sharded store, one {@link IndexChange} out per
 * document version after the store commit that made it visible.
 *
 * <pre>
 * rag.documents ─► decode ─► version-guard ─► chunk-embed ═► store-writer (commit, then announce) ─► rag.index-changes
 *                    │ (keyed by collection/docId) │    ║ by shard owner  (one subtask per share     (exactly once, at
 *                    │ undecodable / invalid       │    ║                  of the shards)            the writers' parallelism)
 *                    │                             │ embedding failed after retries
 *                    └──────────────┬──────────────┘
 *                                   └─► dead-letter ─► rag.documents.dlq (exactly once)
 *
 * store-writer ─► (configured collection settings differ from the recorded ones) ─► control-dedupe ─► rag.control
 *                                                                                   (keyed)           (exactly once)
 * </pre>
 *
 * <p>{@link #defineWorkflow} is the pipeline as a function of its source and sink (tests pass a bounded source
 * and a collecting sink); {@link #start} wires the real Kafka connectors; {@link #main} parses flags (see
 * {@link IngestSettings}) and runs it.
 *
 * <p>Guarantees: the index is a fold of the document log (invariant 1: version guard in keyed state,
 * idempotent writes by chunk id, a checkpoint only after everything before its barrier is committed), and an
 * {@code IndexChange} is emitted only after the commit that made it visible (invariant 2). Both Kafka sinks are
 * exactly once (Kafka transactions committed when a checkpoint completes): after a failure, changes since the
 * last checkpoint are written and announced again, and the announcements of the failed attempt are aborted, so
 * {@code read_committed} consumers see each announcement and each dead letter once. Bad input is dead-lettered
 * and never stops the job (invariant 5).
 *
 * <p>Collection settings: a collection is created on first use with the job's shard count for it
 * ({@code --shards}, {@code --collection-shards}), embedding model and chunking, recorded in the store. When the
 * recorded settings of an existing collection differ from the job's, the recorded shard count is kept, one
 * {@code ControlEvent} is published to {@link Topics#CONTROL}, and upserts into a collection of another embedding
 * model are refused (see {@link CommittingStoreWriter}).
 *
 * <p>Freshness: the store writer reports histograms {@code freshnessMs} (document event to store commit) and
 * {@code announceFreshnessMs} (to the checkpoint that publishes the announcement), see
 * {@link CommittingStoreWriter}; the checkpoint interval bounds the difference between the two.
 */
public final class IngestJob {
    private static final Logger LOG = LoggerFactory.getLogger(IngestJob.class);

    /** The job name shown by Flink. */
    public static final String JOB_NAME = "streamrag-ingest";

    /** An Avro type (flink-avro's AvroTypeInfo): Flink serializes it with its Avro schema, not with Kryo. */
    private static final TypeInformation<IndexChange> INDEX_CHANGE_TYPE = TypeInformation.of(IndexChange.class);
    private static final TypeInformation<DeadLetter> DEAD_LETTER_TYPE = TypeInformation.of(DeadLetter.class);

    /**
     * {@code transaction.timeout.ms} of the exactly-once sinks: the broker's default maximum
     * ({@code transaction.max.timeout.ms}), since the connector's default (1 h) exceeds it and the producer would
     * be refused. A transaction left open by a crashed job blocks {@code read_committed} readers of its
     * partitions until the restarted job aborts it or this timeout passes.
     */
    static final int TRANSACTION_TIMEOUT_MS = 900_000;

    /**
     * Reuse a small pool of transactional ids: the default strategy takes a new id per checkpoint and subtask,
     * and the broker keeps every id for {@code transactional.id.expiration.ms} (7 days), which at one checkpoint
     * a second grows its transaction state by hundreds of thousands of ids a day.
     */
    private static final TransactionNamingStrategy TRANSACTION_NAMING = TransactionNamingStrategy.POOLING;

    /** Producer request limit of the DLQ sink: the stack's DLQ topic takes messages up to 8 MiB. */
    private static final int DLQ_MAX_REQUEST_BYTES = 8 * 1024 * 1024;

    private IngestJob() {
    }

    /**
     * Adds the ingest pipeline from {@code documents} to {@code changes} to {@code env}; runs nothing.
     *
     * <p>Every operator is named and has a uid (kept stable so that savepoints survive upgrades). Every stage runs
     * with the environment's parallelism except the dead-letter and control-event paths (parallelism 1, rare
     * records). Store writer {@code i} of {@code n} owns a share of the shards of every collection
     * ({@code ShardOwnership}) and receives exactly the documents that live there: documents are partitioned by
     * their {@link io.streamrag.ingest.internal.ShardKey} with the store's own routing. A document lives in one
     * shard, so all its versions go through one guard subtask, one embedder subtask and one writer, in log order.
     * The index-changes sink is chained to the writers: each writer announces only what it has committed.
     *
     * @param env         the environment the pipeline is added to
     * @param documents   the raw document records, in log order per document
     * @param changes     receives one {@link IndexChange} per applied document version, after its commit
     * @param deadLetters receives one {@link DeadLetter} per record that could not be indexed
     * @param control     receives one {@link ControlEvent} per collection whose recorded settings differ from
     *                    the job's
     * @param settings    the job settings
     */
    public static void defineWorkflow(StreamExecutionEnvironment env, DataStream<RawDocument> documents,
                                      Sink<IndexChange> changes, Sink<DeadLetter> deadLetters,
                                      Sink<ControlEvent> control, IngestSettings settings) {
        Objects.requireNonNull(settings, "settings");
        defineWorkflow(env, documents, changes, deadLetters, control, settings,
                new OnnxEmbedderFactory(settings.embeddingModelId(), settings.embedThreads(),
                        settings.embedBatchSize(), settings.embedConcurrency(), settings.embedDevice()));
    }

    /**
     * {@link #defineWorkflow(StreamExecutionEnvironment, DataStream, Sink, Sink, Sink, IngestSettings)} with
     * another embedder (tests); it is wrapped in the configured retries.
     */
    static void defineWorkflow(StreamExecutionEnvironment env, DataStream<RawDocument> documents,
                               Sink<IndexChange> changes, Sink<DeadLetter> deadLetters, Sink<ControlEvent> control,
                               IngestSettings settings, SerializableSupplier<Embedder> embedders) {
        Objects.requireNonNull(env, "env");
        Objects.requireNonNull(documents, "documents");
        Objects.requireNonNull(changes, "changes");
        Objects.requireNonNull(deadLetters, "deadLetters");
        Objects.requireNonNull(control, "control");
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(embedders, "embedders");

        // Same parallelism as the source, so this is a forward edge: a rebalance here could reorder the
        // versions of one document before the version guard sees them.
        SingleOutputStreamOperator<DocumentChange> decoded = documents
                .process(new DocumentDecoder(settings.maxTextBytes()))
                .name("decode")
                .uid("decode")
                .setParallelism(documents.getParallelism());

        DataStream<DocumentChange> newest = decoded
                .keyBy(DocumentChange::documentKey, Types.STRING)
                .process(new VersionGuard(settings.tombstoneRetentionMs()))
                .name("version-guard")
                .uid("version-guard");

        // Same parallelism as the guard, so this is a forward (chained) edge: per-document order is kept.
        // Micro-batches chunks across documents (ChunkEmbedder); embedding failures go to its EMBED_FAILED output.
        SingleOutputStreamOperator<IndexedDocument> embedded = newest
                .transform("chunk-embed", TypeInformation.of(IndexedDocument.class), new ChunkEmbedder(
                        new RetryingEmbedderFactory(embedders, settings.embedAttempts(),
                                settings.embedRetryBackoffMs()),
                        settings.chunkMaxTokens(), settings.chunkOverlapTokens(),
                        settings.embedBatchChunks(), settings.embedMaxWaitMs()))
                .uid("chunk-embed");

        int dimension = EmbeddingModel.fromId(settings.embeddingModelId()).dimension();
        ConfiguredCollectionSettings configured = new ConfiguredCollectionSettings(settings.shardsPerCollection(),
                settings.collectionShards(), settings.embeddingModelId(), settings.chunkMaxTokens(),
                settings.chunkOverlapTokens());
        // Each writer subtask opens IndexWriters only for its own shards (one Lucene writer per shard directory):
        // route every document to the subtask that owns its shard. The partitioner reads the writers'
        // parallelism at runtime, the same number each writer derives its share from. A networked store has no
        // shards of its own to own; routing by the configured shard count keeps each document on one writer.
        boolean lucene = settings.store() == StoreSettings.Kind.LUCENE;
        ShardKeySelector shardKeys = lucene ? new ShardKeySelector(settings.indexDir(), configured)
                : ShardKeySelector.byConfiguredShards(configured);
        StoreWriterFactory writers = lucene ? new LuceneStoreFactory(settings.indexDir(), configured, dimension)
                : new NetworkedStoreFactory(settings.storeSettings(), configured, dimension);
        SingleOutputStreamOperator<IndexChange> announced = embedded
                .partitionCustom(new ShardOwnerPartitioner(), shardKeys)
                .transform("store-writer", INDEX_CHANGE_TYPE, new CommittingStoreWriter(
                        writers, settings.commitIntervalMs(), settings.maxBatchDocuments(), configured))
                .uid("store-writer");

        // Same parallelism as the writers, so a forward (chained) edge: a writer's announcements leave after its
        // own commits, in its order.
        announced.sinkTo(changes)
                .name("index-changes")
                .uid("index-changes")
                .setParallelism(announced.getParallelism());

        // Every writer that writes a collection compares its settings, so a difference may be reported once per
        // writer: publish it once.
        announced.getSideOutput(CommittingStoreWriter.CONTROL_EVENTS)
                .keyBy(ControlEventDeduplicator.key(), Types.STRING)
                .process(new ControlEventDeduplicator(), TypeInformation.of(ControlEvent.class))
                .name("control-dedupe")
                .uid("control-dedupe")
                .setParallelism(1)
                .sinkTo(control)
                .name("control-events")
                .uid("control-events")
                .setParallelism(1);

        decoded.getSideOutput(DocumentDecoder.REJECTED)
                .union(embedded.getSideOutput(RejectedDocument.EMBED_FAILED))
                .map(new DeadLetterMapper(), DEAD_LETTER_TYPE)
                .name("dead-letter")
                .uid("dead-letter")
                .setParallelism(1)
                .sinkTo(deadLetters)
                .name("dead-letters")
                .uid("dead-letters")
                .setParallelism(1);
    }

    /**
     * Builds the Kafka source and sinks, enables checkpointing and submits the job without waiting for it.
     *
     * <p>The source reads {@link IngestSettings#documentsTopic()} as group {@link IngestSettings#groupId()},
     * from the committed offsets (committed on each checkpoint), or from the earliest or latest offset when
     * there are none. The sinks write to {@link IngestSettings#indexChangesTopic()}, keyed by
     * {@code collection/docId}, to {@link Topics#DOCUMENTS_DLQ} and to {@link Topics#CONTROL} (keyed by collection),
     * exactly once; readers must use
     * {@code isolation.level=read_committed}. Checkpoints are aligned (exactly-once mode): the version guard's
     * state must match the source offsets of the same checkpoint. With {@link IngestSettings#checkpointDir()},
     * checkpoints are retained and the job resumes from the newest one there (then its offsets and version
     * guard win over the group's committed offsets), see {@link RetainedCheckpoints}.
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
        boolean configured = settings.checkpointDir()
                .map(dir -> dir.toUri().toString())
                .map(uri -> uri.equals(env.getConfiguration().get(CheckpointingOptions.CHECKPOINTS_DIRECTORY)))
                .orElse(true);
        if (!configured) {
            // not created with flinkConfiguration(settings): apply it now (scans for the checkpoint to resume)
            env.configure(flinkConfiguration(settings));
        }
        env.enableCheckpointing(settings.checkpointIntervalMs(), CheckpointingMode.EXACTLY_ONCE);
        DataStream<RawDocument> documents = env
                .fromSource(kafkaSource(settings), WatermarkStrategy.noWatermarks(), "documents")
                .uid("documents");
        defineWorkflow(env, documents, indexChangesSink(settings), deadLetterSink(settings),
                controlEventsSink(settings), settings);
    }

    /**
     * The Flink configuration this job needs besides the pipeline: with a checkpoint directory, retained
     * checkpoints and the recovery path of the newest one (see {@link RetainedCheckpoints}); otherwise empty.
     * {@link #start} applies it; it may also be given to {@code StreamExecutionEnvironment.createLocalEnvironment}.
     */
    public static Configuration flinkConfiguration(IngestSettings settings) {
        return flinkConfiguration(settings, Optional.empty());
    }

    /**
     * {@link #flinkConfiguration(IngestSettings)} for a job whose submitter may have chosen what it restores from
     * ({@code flink run -s}, the REST run's {@code savepointPath}, {@code streamrag deploy --from-savepoint} or
     * {@code --upgrade}): that choice wins, and the newest retained checkpoint is not looked for. Without it, the
     * job resumes from the newest retained checkpoint as before; a savepoint taken by an upgrade is newer than every
     * retained checkpoint of the stopped job, so the retained one must not override it.
     *
     * @param explicitRestore the restore path already set in the submitting environment, if any
     */
    public static Configuration flinkConfiguration(IngestSettings settings, Optional<String> explicitRestore) {
        Configuration config = new Configuration();
        settings.checkpointDir().ifPresent(dir -> {
            if (explicitRestore.isPresent()) {
                LOG.info("Restoring from {} as the submitter asked, not from the newest retained checkpoint in {}",
                        explicitRestore.get(), dir);
                RetainedCheckpoints.configureStorage(config, dir);
            } else {
                RetainedCheckpoints.configure(config, dir);
            }
        });
        return config;
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

    static KafkaSink<IndexChange> indexChangesSink(IngestSettings settings) {
        return exactlyOnceSink(settings, settings.indexChangesTopic(), "-index-changes", new IndexChangeKeySchema(),
                IndexChange.class).build();
    }

    static KafkaSink<ControlEvent> controlEventsSink(IngestSettings settings) {
        return exactlyOnceSink(settings, Topics.CONTROL.name(), "-control", new ControlEventKeySchema(),
                ControlEvent.class).build();
    }

    static KafkaSink<DeadLetter> deadLetterSink(IngestSettings settings) {
        return exactlyOnceSink(settings, Topics.DOCUMENTS_DLQ.name(), "-dlq", new DeadLetterKeySchema(),
                DeadLetter.class)
                // a dead letter carries the whole original record (texts up to --max-text-bytes)
                .setProperty(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(DLQ_MAX_REQUEST_BYTES))
                .build();
    }

    /**
     * What every sink of the job shares: exactly-once delivery (Kafka transactions committed with the checkpoint),
     * pooled transactional ids under the job's prefix plus {@code idSuffix}, and the transaction timeout the
     * broker accepts; Avro single-object values.
     */
    private static <T extends SpecificRecord> KafkaSinkBuilder<T> exactlyOnceSink(
            IngestSettings settings, String topic, String idSuffix, SerializationSchema<T> keySchema, Class<T> type) {
        return KafkaSink.<T>builder()
                .setBootstrapServers(settings.bootstrapServers())
                .setRecordSerializer(KafkaRecordSerializationSchema.<T>builder()
                        .setTopic(topic)
                        .setKeySerializationSchema(keySchema)
                        .setValueSerializationSchema(AvroFlinkSchema.of(type))
                        .build())
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(settings.transactionalIdPrefix() + idSuffix)
                .setTransactionNamingStrategy(TRANSACTION_NAMING)
                .setProperty(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, String.valueOf(TRANSACTION_TIMEOUT_MS));
    }

    /**
     * Runs the job with flags parsed by {@link IngestSettings#fromArgs}, e.g.
     * {@code --bootstrap localhost:9092 --index-dir /var/lib/streamrag/index}. Waits for the job when the
     * client is attached (a local run or {@code flink run}); returns after submission when detached
     * ({@code flink run -d}). Exits with status 2 and a one-line reason on bad flags; submitted to a cluster, it
     * throws an {@code IllegalArgumentException} with that reason instead (the JobManager runs it for REST
     * submissions, and must not exit).
     */
    public static void main(String[] args) throws Exception {
        // on a cluster (flink run, REST) this is the submitter's environment: it holds the chosen savepoint, if any
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        IngestSettings settings;
        try {
            settings = IngestSettings.fromArgs(args);
        } catch (IllegalArgumentException e) {
            if (env instanceof StreamContextEnvironment) {
                // submitted to a cluster: a REST submission runs main() inside the JobManager, which System.exit ends
                throw new IllegalArgumentException("streamrag-ingest: " + e.getMessage(), e);
            }
            System.err.println("streamrag-ingest: " + e.getMessage());
            System.exit(2);
            return;
        }
        env.configure(flinkConfiguration(settings,
                env.getConfiguration().getOptional(StateRecoveryOptions.SAVEPOINT_PATH)));
        JobClient client = start(env, settings);
        LOG.info("Submitted {} as job {}", JOB_NAME, client.getJobID());
        // `flink run -d` sets attached=false; a local run leaves it unset and should block like `flink run`.
        boolean attached = env.getConfiguration().getOptional(DeploymentOptions.ATTACHED).orElse(true);
        if (attached) {
            client.getJobExecutionResult().get();
        }
    }
}
