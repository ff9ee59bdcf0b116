package io.streamrag.client;

import io.streamrag.schemas.DeadLetter;
import io.streamrag.schemas.IndexChange;
import io.streamrag.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Follows rag.index-changes and rag.documents.dlq from the moment it is opened, to tell when submitted versions
 * became searchable, or were dead-lettered. Not thread-safe; the owner closes it.
 */
public final class IndexChangeWatcher implements AutoCloseable {
    private final TopicTail<String, IndexChange> tail;
    private final TopicTail<byte[], DeadLetter> deadLetters;
    private final Map<TopicPartition, Long> afterMatches = new HashMap<>();

    IndexChangeWatcher(String bootstrapServers, Map<String, String> clientProperties) {
        this.tail = new TopicTail<>(bootstrapServers, Topics.INDEX_CHANGES.name(),
                Topics.INDEX_CHANGES.keySerde().deserializer(), Topics.INDEX_CHANGES.valueSerde().deserializer(),
                clientProperties);
        TopicTail<byte[], DeadLetter> dlq;
        try {
            dlq = new TopicTail<>(bootstrapServers, Topics.DOCUMENTS_DLQ.name(),
                    new ByteArrayDeserializer(),
                    Topics.DOCUMENTS_DLQ.valueSerde().deserializer(), clientProperties);
        } catch (RuntimeException e) {
            tail.close();
            throw e;
        }
        this.deadLetters = dlq;
    }

    /**
     * Waits until, for every key, an IndexChange with at least the expected version has been announced.
     *
     * @param expectedVersions document key ({@link Topics#documentKey}) → the version that must become visible
     * @return the matching changes, one per key
     * @throws DocumentRejectedException as soon as the ingest job dead-letters one of the documents (a dead letter
     *                                   keyed by one of the awaited keys), with the job's reason
     * @throws StackUnreachableException naming how many documents are missing when the timeout passes
     */
    public List<IndexChange> awaitVersions(Map<String, Long> expectedVersions, Duration timeout) {
        Map<String, Long> pending = new HashMap<>(expectedVersions);
        List<IndexChange> seen = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!pending.isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new StackUnreachableException(pending.size() + " of " + expectedVersions.size()
                        + " documents were not searchable within " + timeout.toSeconds() + "s (for example "
                        + pending.keySet().iterator().next() + "): is the ingest job running? see its log");
            }
            for (ConsumerRecord<byte[], DeadLetter> record : deadLetters.poll(Duration.ZERO)) {
                DeadLetter letter = record.value();
                String key = letter == null || letter.getKey() == null ? null
                        : StandardCharsets.UTF_8.decode(letter.getKey().duplicate()).toString();
                if (key != null && pending.containsKey(key)) {
                    throw new DocumentRejectedException(key, letter.getStage(), letter.getError());
                }
            }
            for (ConsumerRecord<String, IndexChange> record : tail.poll(Duration.ofMillis(100))) {
                IndexChange change = record.value();
                if (change == null) {
                    continue;
                }
                String key = Topics.documentKey(change.getCollection(), change.getDocId());
                Long expected = pending.get(key);
                if (expected != null && change.getVersion() >= expected) {
                    pending.remove(key);
                    seen.add(change);
                    afterMatches.merge(new TopicPartition(record.topic(), record.partition()), record.offset() + 1,
                            Math::max);
                }
            }
        }
        return seen;
    }

    /**
     * For each partition of rag.index-changes, the offset just after the last announcement that
     * {@link #awaitVersions} matched: a consumer that has committed these offsets has processed them.
     */
    public Map<TopicPartition, Long> offsetsAfterMatches() {
        return Map.copyOf(afterMatches);
    }

    @Override
    public void close() {
        try {
            deadLetters.close();
        } finally {
            tail.close();
        }
    }
}
