package io.streamrag.client;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads every partition of one topic from its end at the moment of creation, without a consumer group.
 * Not thread-safe; the owner closes it.
 */
final class TopicTail<K, V> implements AutoCloseable {
    private final KafkaConsumer<K, V> consumer;

    TopicTail(String bootstrapServers, String topic, Deserializer<K> keys, Deserializer<V> values) {
        this(bootstrapServers, topic, keys, values, Map.of());
    }

    /** @param clientProperties further Kafka client properties (security), below the ones this tail needs */
    TopicTail(String bootstrapServers, String topic, Deserializer<K> keys, Deserializer<V> values,
              Map<String, String> clientProperties) {
        Properties props = new Properties();
        props.putAll(clientProperties);
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "streamrag-cli-" + UUID.randomUUID());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // only committed results: the processors write transactionally
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
        // A caller waits for one record. With read_committed the broker answers a fetch when the record's
        // transaction commits only at the fetch's max wait (default 500 ms, measured as a 0.6 s round trip for an
        // answer served from the response cache); polling more often costs a few small requests while waiting.
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10);
        this.consumer = new KafkaConsumer<>(props, keys, values);
        List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(15)).stream()
                .map(p -> new TopicPartition(topic, p.partition()))
                .toList();
        if (partitions.isEmpty()) {
            consumer.close();
            throw new StackUnreachableException("topic " + topic + " does not exist: is this a streamrag stack?");
        }
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        // resolve the end offsets now, so that records produced after this constructor are seen
        partitions.forEach(consumer::position);
    }

    ConsumerRecords<K, V> poll(Duration timeout) {
        return consumer.poll(timeout);
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(2));
    }
}
