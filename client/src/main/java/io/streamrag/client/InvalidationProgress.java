package io.streamrag.client;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;

/**
 * Tells when the cache invalidation processor has applied given announcements, by comparing its consumer
 * group's committed offsets on rag.index-changes with the offsets just after them. Its offsets are committed in
 * the same transaction as its processing (exactly-once), so a committed offset past an announcement means the
 * caches no longer hold anything that announcement made stale.
 */
public final class InvalidationProgress {
    /**
     * The invalidation processor's default Kafka Streams application id, i.e. its consumer group (the command
     * line's tests check that it equals the processor's default).
     */
    public static final String GROUP = "streamrag-invalidation";

    private InvalidationProgress() {
    }

    /** What {@link #awaitApplied} found. */
    enum Outcome {
        /** The invalidation processor has applied the announcements (or there were none). */
        APPLIED,
        /**
         * No invalidation processor runs (no group with members): nothing evicts cached answers, so a query
         * processor with caches may serve answers computed before these announcements until one runs.
         */
        NO_PROCESSOR,
        /** The timeout passed first (e.g. Redis is down: the processor retries meanwhile). */
        TIMED_OUT
    }

    /**
     * Waits until the invalidation group has committed at least the given offsets.
     *
     * @return {@link Outcome#APPLIED} once applied; {@link Outcome#NO_PROCESSOR} at once when no invalidation
     *         processor runs; {@link Outcome#TIMED_OUT} when the timeout passed first
     */
    static Outcome awaitApplied(String bootstrapServers, Map<String, String> clientProperties,
                                Map<TopicPartition, Long> offsets, Duration timeout) {
        if (offsets.isEmpty()) {
            return Outcome.APPLIED;
        }
        Properties props = new Properties();
        props.putAll(clientProperties);
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = Admin.create(props)) {
            if (!running(admin)) {
                return Outcome.NO_PROCESSOR;
            }
            while (!applied(admin, offsets)) {
                if (System.nanoTime() > deadline) {
                    return Outcome.TIMED_OUT;
                }
                Thread.sleep(20);
            }
            return Outcome.APPLIED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StackUnreachableException("interrupted while waiting for cache invalidation");
        } catch (ExecutionException | TimeoutException e) {
            throw new StackUnreachableException("cannot read the progress of the cache invalidation processor: "
                    + e.getMessage());
        }
    }

    private static boolean running(Admin admin) throws InterruptedException, ExecutionException, TimeoutException {
        try {
            ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(GROUP)).all()
                    .get(10, TimeUnit.SECONDS).get(GROUP);
            return group != null && group.groupState() != GroupState.DEAD && !group.members().isEmpty();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return false;
            }
            throw e;
        }
    }

    private static boolean applied(Admin admin, Map<TopicPartition, Long> offsets)
            throws InterruptedException, ExecutionException, TimeoutException {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(GROUP)
                .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
        for (Map.Entry<TopicPartition, Long> needed : offsets.entrySet()) {
            OffsetAndMetadata have = committed.get(needed.getKey());
            if (have == null || have.offset() < needed.getValue()) {
                return false;
            }
        }
        return true;
    }
}
