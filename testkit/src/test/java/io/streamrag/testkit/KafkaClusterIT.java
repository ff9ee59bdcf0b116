package io.streamrag.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamrag.schemas.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three brokers as child processes; a transactional producer writes to rag.documents while the leader of one of its
 * partitions is SIGKILLed and restarted. A read_committed consumer then sees every committed record exactly once and
 * no record of an aborted transaction.
 */
class KafkaClusterIT {
    private static final int RECORDS_PER_TRANSACTION = 10;
    /** Every ABORT_EVERY-th transaction is aborted on purpose: read_committed must hide it. */
    private static final int ABORT_EVERY = 7;

    @TempDir
    Path tmp;

    @Test
    void committedRecordsSurviveTheKillOfAPartitionLeaderExactlyOnce() throws Exception {
        String topic = Topics.DOCUMENTS.name();
        try (KafkaCluster kafka = KafkaCluster.builder(tmp.resolve("kafka")).build()) {
            kafka.start();
            kafka.awaitReady(Duration.ofMinutes(3));
            int victim;
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
                StackTopics.createMissing(admin, StackTopics.all(4, (short) 3, 2));
                victim = leaderOfFirstPartition(admin, topic);
            }

            TransactionalWriter writer = new TransactionalWriter(kafka.bootstrapServers(), topic);
            ExecutorService executor = Executors.newSingleThreadExecutor();
            try {
                Future<?> writing = executor.submit(writer);
                awaitProgress(writer, writing, 20, "before the kill");

                long killedAt = System.nanoTime();
                kafka.kill(victim);
                assertThat(kafka.isAlive(victim)).isFalse();
                int committedAtKill = writer.committedTransactions.get();
                // min.insync.replicas 2 of 3: the two brokers left must keep taking transactional writes
                awaitProgress(writer, writing, committedAtKill + 10, "with broker " + victim + " down");
                int committedWhileDown = writer.committedTransactions.get() - committedAtKill;

                kafka.restart(victim);
                kafka.awaitReady(Duration.ofMinutes(3));
                awaitProgress(writer, writing, writer.committedTransactions.get() + 10, "after the restart");
                writer.stop.set(true);
                writing.get(2, TimeUnit.MINUTES);

                System.out.printf("KafkaClusterIT: killed broker %d (leader of %s-0); the first commit after the kill "
                                + "came %d ms later; longest transaction %d ms (median %d ms); %d transactions committed "
                                + "while it was down, %d in all, %d aborted on purpose or by errors%n",
                        victim, topic, writer.firstCommitAfterMillis(killedAt), writer.longestMillis(),
                        writer.medianMillis(), committedWhileDown, writer.committedTransactions.get(),
                        writer.abortedTransactions.get());
                assertThat(committedWhileDown).isPositive();
            } finally {
                writer.stop.set(true);
                executor.shutdownNow();
                assertThat(executor.awaitTermination(2, TimeUnit.MINUTES)).as("producer thread ended").isTrue();
            }

            List<String> read = readCommitted(kafka.bootstrapServers(), topic);
            assertThat(writer.committed).isNotEmpty();
            assertThat(read).doesNotContainAnyElementsOf(writer.aborted);
            assertThat(read).containsExactlyInAnyOrderElementsOf(writer.committed);
        }
    }

    /** The leader of partition 0, once every broker knows the topic (creation reaches them one by one). */
    private static int leaderOfFirstPartition(Admin admin, String topic) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (true) {
            try {
                Node leader = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS)
                        .get(topic).partitions().get(0).leader();
                if (leader != null && !leader.isEmpty()) {
                    return leader.id();
                }
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw e;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(topic + "-0 has no leader after a minute");
            }
            Thread.sleep(100);
        }
    }

    private static void awaitProgress(TransactionalWriter writer, Future<?> writing, int committed, String when)
            throws Exception {
        await(() -> writing.isDone() || writer.committedTransactions.get() >= committed, Duration.ofMinutes(2),
                "no " + committed + " committed transactions " + when + " (have " + writer.committedTransactions.get()
                        + ")");
        if (writing.isDone()) {
            writing.get(); // rethrows what ended the producer
            throw new AssertionError("the producer stopped by itself " + when);
        }
    }

    private static void await(BooleanSupplier condition, Duration timeout, String failure) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(failure + " after " + timeout);
            }
            Thread.sleep(50);
        }
    }

    /** Every key in the topic that a read_committed consumer sees, in order of reading. */
    private static List<String> readCommitted(String bootstrap, String topic) throws InterruptedException {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        List<String> keys = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            // read_committed: the end offsets are the last stable offsets; no transaction is open any more
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not read " + topic + " up to " + end + " within 2 minutes");
                }
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    keys.add(record.key());
                }
            }
        }
        return keys;
    }

    /**
     * Writes transactions of {@link #RECORDS_PER_TRANSACTION} records with unique keys until stopped, and keeps
     * the keys of the transactions that committed and of those that were aborted. A commit that times out is
     * retried (its outcome is unknown until it returns); any other error aborts the transaction, except the fatal
     * ones, which end the writer.
     */
    private static final class TransactionalWriter implements Runnable {
        final Set<String> committed = ConcurrentHashMap.newKeySet();
        final Set<String> aborted = ConcurrentHashMap.newKeySet();
        final AtomicInteger committedTransactions = new AtomicInteger();
        final AtomicInteger abortedTransactions = new AtomicInteger();
        final AtomicBoolean stop = new AtomicBoolean();
        /** Start and end (System.nanoTime) of every committed transaction. */
        final List<long[]> spans = java.util.Collections.synchronizedList(new ArrayList<>());
        private final Map<String, Object> config = new HashMap<>();
        private final String topic;

        TransactionalWriter(String bootstrap, String topic) {
            this.topic = topic;
            config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "kafka-cluster-it");
            config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
            config.put(ProducerConfig.ACKS_CONFIG, "all");
            config.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "60000");
            config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "120000");
            config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
            config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "120000");
            config.put(ProducerConfig.LINGER_MS_CONFIG, "5");
            config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        }

        @Override
        public void run() {
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(config)) {
                producer.initTransactions();
                for (int txn = 0; !stop.get() && !Thread.currentThread().isInterrupted(); txn++) {
                    List<String> keys = new ArrayList<>();
                    for (int i = 0; i < RECORDS_PER_TRANSACTION; i++) {
                        keys.add("doc-" + txn + "-" + i);
                    }
                    long start = System.nanoTime();
                    boolean commit = txn % ABORT_EVERY != ABORT_EVERY - 1;
                    if (write(producer, keys, commit)) {
                        spans.add(new long[] {start, System.nanoTime()});
                        committed.addAll(keys);
                        committedTransactions.incrementAndGet();
                    } else {
                        aborted.addAll(keys);
                        abortedTransactions.incrementAndGet();
                    }
                    Thread.sleep(20);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** Writes one transaction; returns whether it committed. */
        private boolean write(KafkaProducer<String, String> producer, List<String> keys, boolean commit) {
            try {
                producer.beginTransaction();
                for (String key : keys) {
                    producer.send(new ProducerRecord<>(topic, key, "value of " + key));
                }
                if (!commit) {
                    retryOnTimeout(producer::abortTransaction);
                    return false;
                }
                retryOnTimeout(producer::commitTransaction);
                return true;
            } catch (ProducerFencedException | OutOfOrderSequenceException | AuthorizationException e) {
                throw e;
            } catch (KafkaException e) {
                System.out.println("KafkaClusterIT: transaction of " + keys.get(0) + ".. failed (" + e
                        + "); aborting it");
                retryOnTimeout(producer::abortTransaction);
                return false;
            }
        }

        /** A commit or abort that timed out has an unknown outcome until it is called again and returns. */
        private static void retryOnTimeout(Runnable end) {
            for (int attempt = 1; ; attempt++) {
                try {
                    end.run();
                    return;
                } catch (TimeoutException e) {
                    if (attempt == 10) {
                        throw e;
                    }
                }
            }
        }

        long firstCommitAfterMillis(long nanos) {
            synchronized (spans) {
                return spans.stream().filter(s -> s[1] > nanos).mapToLong(s -> s[1] - nanos).min()
                        .orElse(-1_000_000L) / 1_000_000;
            }
        }

        long longestMillis() {
            synchronized (spans) {
                return spans.stream().mapToLong(s -> s[1] - s[0]).max().orElse(0) / 1_000_000;
            }
        }

        long medianMillis() {
            synchronized (spans) {
                long[] sorted = spans.stream().mapToLong(s -> s[1] - s[0]).sorted().toArray();
                return sorted.length == 0 ? 0 : sorted[sorted.length / 2] / 1_000_000;
            }
        }
    }
}
