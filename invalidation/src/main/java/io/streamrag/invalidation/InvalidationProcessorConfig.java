package io.streamrag.invalidation;

import io.streamrag.streams.CommonOptions;
import io.streamrag.streams.ConfigSources;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * The configuration of an invalidation processor process, every key declared once in {@link #DEFINITION}; read from
 * a properties file and the environment by {@link ConfigSources} ({@code STREAMRAG_<KEY>}; {@code kafka.*} keys pass
 * through to the Kafka clients). {@code docs/deployment.md} lists the keys.
 *
 * <p>Immutable and thread-safe.
 */
public final class InvalidationProcessorConfig extends AbstractConfig {
    public static final String MAX_RETRY_TIME_MS = "max.retry.time.ms";

    /** The port of /health and /ready unless set. */
    public static final int DEFAULT_HEALTH_PORT = 8092;

    public static final ConfigDef DEFINITION = CommonOptions.define(new ConfigDef(),
                    InvalidationSettings.DEFAULT_APPLICATION_ID, DEFAULT_HEALTH_PORT)
            .define(MAX_RETRY_TIME_MS, Type.LONG, InvalidationSettings.DEFAULT_MAX_RETRY_TIME.toMillis(),
                    Range.atLeast(1), Importance.LOW, "How long an invalidation is retried while Redis fails "
                            + "before the stream thread is replaced (and retries from its last commit).");

    /**
     * @param values raw values, as {@link #load} returns them
     * @throws org.apache.kafka.common.config.ConfigException naming the key and the bad value
     */
    public InvalidationProcessorConfig(Map<String, ?> values) {
        super(DEFINITION, values, false);
    }

    /** Reads {@code file} (may be null) and then {@code env} over it. */
    public static InvalidationProcessorConfig load(Path file, Map<String, String> env) {
        return load(Map.of(), file, env);
    }

    /** Takes {@code base} values, then {@code file} (may be null) over them, then {@code env} over both. */
    public static InvalidationProcessorConfig load(Map<String, String> base, Path file, Map<String, String> env) {
        return new InvalidationProcessorConfig(ConfigSources.load(DEFINITION, base, file, env, CommonOptions.ENV_ALIASES));
    }

    /** The Kafka Streams settings of these values. */
    public InvalidationSettings streamsSettings() {
        return InvalidationSettings.builder()
                .bootstrapServers(CommonOptions.bootstrapServers(this))
                .applicationId(getString(CommonOptions.APPLICATION_ID))
                .stateDir(Path.of(getString(CommonOptions.STATE_DIR)))
                .maxRetryTime(Duration.ofMillis(getLong(MAX_RETRY_TIME_MS)))
                .clientProperties(ConfigSources.kafkaProperties(originals()))
                .build();
    }
}
