package io.streamrag.client;

import io.streamrag.schemas.QueryResponse;
import io.streamrag.schemas.Topics;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Waits on rag.responses for the response to one request. Not thread-safe. */
final class ResponseWatcher implements AutoCloseable {
    private final TopicTail<String, QueryResponse> tail;

    ResponseWatcher(String bootstrapServers, Map<String, String> clientProperties) {
        this.tail = new TopicTail<>(bootstrapServers, Topics.RESPONSES.name(),
                Topics.RESPONSES.keySerde().deserializer(), Topics.RESPONSES.valueSerde().deserializer(),
                clientProperties);
    }

    QueryResponse await(String requestId, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, QueryResponse> record : tail.poll(Duration.ofMillis(100))) {
                if (record.value() != null && requestId.equals(record.value().getRequestId())) {
                    return record.value();
                }
            }
        }
        throw new StackUnreachableException("no answer to request " + requestId + " within " + timeout.toSeconds()
                + "s: is the query processor of the stack running?");
    }

    @Override
    public void close() {
        tail.close();
    }
}
