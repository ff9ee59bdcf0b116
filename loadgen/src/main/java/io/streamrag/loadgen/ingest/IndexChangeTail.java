package io.streamrag.loadgen.ingest;

import io.streamrag.schemas.IndexChange;
import io.streamrag.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

/**
 * Reads {@code rag.index-changes} from the beginning with {@code read_committed} (what users see) on its own
 * thread and keeps every announcement with the wall-clock time it was received. Thread-safe: the reader thread
 * appends under this object's lock, callers read snapshots. The creator closes it.
 */
final class IndexChangeTail implements AutoCloseable {

    /**
     * One announcement as received.
     *
     * @param change     the announcement
     * @param receivedMs when the consumer got it (epoch ms, this machine's clock, as the producer's event times)
     */
    record Received(IndexChange change, long receivedMs) {
    }

    private final KafkaConsumer<String, IndexChange> consumer;
    private final Thread reader;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Received> received = new ArrayList<>(); // guarded by this
    private volatile RuntimeException failure;

    IndexChangeTail(String bootstrapServers) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // fetch as soon as anything is committed: this consumer measures latency
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
        consumer = new KafkaConsumer<>(props, Topics.INDEX_CHANGES.keySerde().deserializer(),
                Topics.INDEX_CHANGES.valueSerde().deserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(Topics.INDEX_CHANGES.name()).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).collect(Collectors.toList());
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        reader = new Thread(this::read, "index-change-tail");
        reader.setDaemon(true);
        reader.start();
    }

    private void read() {
        try {
            while (running.get()) {
                for (ConsumerRecord<String, IndexChange> record : consumer.poll(Duration.ofMillis(100))) {
                    long now = System.currentTimeMillis();
                    synchronized (this) {
                        received.add(new Received(record.value(), now));
                    }
                }
            }
        } catch (WakeupException e) {
            if (running.get()) {
                failure = e;
            }
        } catch (RuntimeException e) {
            failure = e;
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** A copy of everything received so far, in arrival order. */
    synchronized List<Received> snapshot() {
        if (failure != null) {
            throw new IllegalStateException("reading " + Topics.INDEX_CHANGES.name() + " failed: " + failure, failure);
        }
        return new ArrayList<>(received);
    }

    /** How many announcements have arrived. */
    synchronized int size() {
        return received.size();
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        consumer.wakeup();
        reader.join(10_000);
    }
}
