package io.streamrag.gateway;

import io.streamrag.core.cache.RedisCacheSettings;
import io.streamrag.streams.CommonOptions;
import io.streamrag.streams.ConfigSources;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * The configuration of a gateway process, every key declared once in {@link #DEFINITION}; read from a properties
 * file and the environment by {@link ConfigSources} ({@code STREAMRAG_<KEY>}; {@code kafka.*} keys pass through to
 * the Kafka clients). {@code docs/deployment.md} lists the keys ({@code streamrag gateway --describe-config}).
 *
 * <p>Immutable and thread-safe.
 */
public final class GatewayConfig extends AbstractConfig {
    public static final String HTTP_HOST = "http.host";
    public static final String HTTP_PORT = "http.port";
    public static final String L1_FROM_REDIS = "l1.from.redis";
    public static final String QUERY_TIMEOUT_MS = "query.timeout.ms";
    public static final String MAX_IN_FLIGHT = "max.in.flight";
    public static final String MAX_QUESTION_CHARS = "max.question.chars";
    public static final String DEFAULT_TOP_K = "default.top.k";
    public static final String MAX_TOP_K = "max.top.k";
    public static final String MAX_BODY_BYTES = "max.body.bytes";
    public static final String WAIT_TIMEOUT_MS = "wait.timeout.ms";
    public static final String API_KEYS_FILE = "api.keys.file";

    /** The HTTP port unless set. */
    public static final int DEFAULT_HTTP_PORT = 8080;

    /** Environment variables accepted besides {@code STREAMRAG_<KEY>}, per key. */
    public static final Map<String, List<String>> ENV_ALIASES = CommonOptions.ENV_ALIASES;

    public static final ConfigDef DEFINITION = definition();

    private static ConfigDef definition() {
        ConfigDef def = CommonOptions.defineBootstrap(new ConfigDef())
                .define(HTTP_HOST, Type.STRING, "0.0.0.0", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                        "Address the HTTP API listens on.")
                .define(HTTP_PORT, Type.INT, DEFAULT_HTTP_PORT, Range.between(0, 65535), Importance.HIGH,
                        "Port of the HTTP API, /health, /ready and /metrics; 0 picks a free one (logged at start).");
        CommonOptions.defineRedis(def);
        return def
                .define(L1_FROM_REDIS, Type.BOOLEAN, true, Importance.MEDIUM, "Serve cached answers (L1) straight "
                        + "from Redis, with the query processors' key and validity rule; misses go to rag.queries.")
                .define(QUERY_TIMEOUT_MS, Type.LONG, 60_000L, Range.atLeast(1), Importance.MEDIUM,
                        "How long a question waits for its answer on rag.responses before a 504.")
                .define(MAX_IN_FLIGHT, Type.INT, 64, Range.atLeast(1), Importance.MEDIUM,
                        "Questions and waiting writes this instance handles at once; more get 429 with Retry-After.")
                .define(MAX_QUESTION_CHARS, Type.INT, 4000, Range.atLeast(1), Importance.LOW,
                        "Longer questions get 413 (keep it equal to the query processors' max.question.chars).")
                .define(DEFAULT_TOP_K, Type.INT, 5, Range.atLeast(1), Importance.LOW,
                        "Citations per answer when a request does not say.")
                .define(MAX_TOP_K, Type.INT, 50, Range.atLeast(1), Importance.LOW,
                        "The largest topK a request may ask for; more gets 400.")
                .define(MAX_BODY_BYTES, Type.INT, 8 * 1024 * 1024, Range.atLeast(1024), Importance.LOW,
                        "The largest request body (a document's JSON); more gets 413.")
                .define(WAIT_TIMEOUT_MS, Type.LONG, 300_000L, Range.atLeast(1), Importance.LOW,
                        "How long ?wait=true waits for a document to become searchable before a 504.")
                .define(API_KEYS_FILE, Type.STRING, "", Importance.HIGH, "Properties file of API keys as SHA-256 "
                        + "hashes, each with the collections it may read and write (hash = read:C1,C2 write:C1); "
                        + "empty: no key needed, every client may read and write every collection.");
    }

    /**
     * @param values raw values, as {@link #load} returns them
     * @throws org.apache.kafka.common.config.ConfigException naming the key and the bad value
     */
    public GatewayConfig(Map<String, ?> values) {
        super(DEFINITION, values, false);
        if (getInt(DEFAULT_TOP_K) > getInt(MAX_TOP_K)) {
            throw new IllegalArgumentException(DEFAULT_TOP_K + " (" + getInt(DEFAULT_TOP_K) + ") must be <= "
                    + MAX_TOP_K + " (" + getInt(MAX_TOP_K) + ")");
        }
    }

    /** Reads {@code file} (may be null) and then {@code env} over it. */
    public static GatewayConfig load(Path file, Map<String, String> env) {
        return load(Map.of(), file, env);
    }

    /** Takes {@code base} values, then {@code file} (may be null) over them, then {@code env} over both. */
    public static GatewayConfig load(Map<String, String> base, Path file, Map<String, String> env) {
        return new GatewayConfig(ConfigSources.load(DEFINITION, base, file, env, ENV_ALIASES));
    }

    String bootstrapServers() {
        return CommonOptions.bootstrapServers(this);
    }

    Map<String, String> kafkaProperties() {
        return ConfigSources.kafkaProperties(originals());
    }

    RedisCacheSettings redisSettings() {
        return CommonOptions.redisSettings(this).build();
    }

    Duration queryTimeout() {
        return Duration.ofMillis(getLong(QUERY_TIMEOUT_MS));
    }

    /** The API keys, or null when none are configured (open access). */
    ApiKeys apiKeys() {
        String file = getString(API_KEYS_FILE);
        return file.isBlank() ? null : ApiKeys.load(Path.of(file));
    }

    Duration waitTimeout() {
        return Duration.ofMillis(getLong(WAIT_TIMEOUT_MS));
    }
}
