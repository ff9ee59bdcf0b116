package io.streamrag.cli.dev;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where and how the embedded stack runs.
 *
 * @param dataDir        everything the stack keeps: Kafka logs, Lucene shards, Flink checkpoints, Streams state
 * @param kafkaPort      the Kafka client port on localhost; 0 picks a free one
 * @param controllerPort the KRaft controller port on localhost; 0 picks a free one
 */
public record DevSettings(Path dataDir, int kafkaPort, int controllerPort) {
    public DevSettings {
        Objects.requireNonNull(dataDir, "dataDir");
        if (kafkaPort < 0 || kafkaPort > 65535) {
            throw new IllegalArgumentException("kafkaPort must be in 0..65535, got " + kafkaPort);
        }
        if (controllerPort < 0 || controllerPort > 65535) {
            throw new IllegalArgumentException("controllerPort must be in 0..65535, got " + controllerPort);
        }
    }
}
