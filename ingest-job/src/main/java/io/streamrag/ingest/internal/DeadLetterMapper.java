package io.streamrag.ingest.internal;

import io.streamrag.schemas.DeadLetter;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.apache.flink.api.common.functions.MapFunction;

/**
 * Turns a {@link RejectedDocument} into the {@link DeadLetter} published on the documents DLQ: the original key
 * and payload bytes unchanged, the source topic, partition and offset, the stage, the reason and the attempts;
 * {@code time} is when this mapping ran. Stateless.
 */
public final class DeadLetterMapper implements MapFunction<RejectedDocument, DeadLetter> {
    private static final long serialVersionUID = 1L;

    @Override
    public DeadLetter map(RejectedDocument rejected) {
        return toDeadLetter(rejected, Instant.now());
    }

    static DeadLetter toDeadLetter(RejectedDocument rejected, Instant now) {
        return DeadLetter.newBuilder()
                .setSourceTopic(rejected.raw().topic())
                .setSourcePartition(rejected.raw().partition())
                .setSourceOffset(rejected.raw().offset())
                .setKey(rejected.raw().key() == null ? null : ByteBuffer.wrap(rejected.raw().key()))
                .setPayload(rejected.raw().value() == null ? null : ByteBuffer.wrap(rejected.raw().value()))
                .setStage(rejected.stage())
                .setError(rejected.reason())
                .setAttempts(rejected.attempts())
                .setTime(now)
                .build();
    }
}
