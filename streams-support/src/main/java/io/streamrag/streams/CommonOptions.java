package io.streamrag.streams;

import io.streamrag.core.cache.InvalidationMode;
import io.streamrag.core.cache.RedisCacheSettings;
import io.streamrag.core.cache.RedisCacheSettings.TlsVerify;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/**
 * The configuration keys both processors have, declared once: where Kafka is, the application id, the state
 * directory, the health endpoint and Redis. Each processor's config adds these to its {@link ConfigDef} and its own
 * keys after them.
 */
public final class CommonOptions {
    public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
    public static final String APPLICATION_ID = "application.id";
    public static final String STATE_DIR = "state.dir";
    public static final String HEALTH_HOST = "health.host";
    public static final String HEALTH_PORT = "health.port";
    public static final String REDIS_URL = "redis.url";
    public static final String REDIS_TLS_VERIFY = "redis.tls.verify";
    public static final String REDIS_TLS_TRUSTSTORE = "redis.tls.truststore";
    public static final String REDIS_TLS_TRUSTSTORE_PASSWORD = "redis.tls.truststore.password";
    public static final String CACHE_INVALIDATION = "cache.invalidation";

    /** The variables the dev stack and earlier releases read, accepted as aliases of the keys. */
    public static final Map<String, List<String>> ENV_ALIASES = Map.of(
            REDIS_URL, List.of("REDIS_URL"),
            REDIS_TLS_VERIFY, List.of("REDIS_TLS_VERIFY"),
            REDIS_TLS_TRUSTSTORE, List.of("REDIS_TLS_TRUSTSTORE"),
            REDIS_TLS_TRUSTSTORE_PASSWORD, List.of("REDIS_TLS_TRUSTSTORE_PASSWORD"));

    private CommonOptions() {
    }

    /**
     * Adds the shared keys to {@code def}.
     *
     * @param applicationId  the default application id (consumer group, transactional id prefix)
     * @param healthPort     the default port of /health and /ready
     */
    public static ConfigDef define(ConfigDef def, String applicationId, int healthPort) {
        defineBootstrap(def)
                .define(APPLICATION_ID, Type.STRING, applicationId, new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                        "Kafka Streams application id: the consumer group and transactional id prefix. Every "
                                + "instance of one processor shares it.")
                .define(STATE_DIR, Type.STRING, Path.of(System.getProperty("java.io.tmpdir"), "streamrag-state",
                                applicationId).toString(), new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                        "Kafka Streams' state and lock directory; one per instance on a host.")
                .define(HEALTH_HOST, Type.STRING, "0.0.0.0", new ConfigDef.NonEmptyString(), Importance.LOW,
                        "Address of the /health and /ready endpoints.")
                .define(HEALTH_PORT, Type.INT, healthPort, ConfigDef.Range.between(0, 65535), Importance.MEDIUM,
                        "Port of the /health and /ready endpoints; 0 picks a free one (logged at start).");
        defineRedis(def)
                .define(CACHE_INVALIDATION, Type.STRING, "collection", lowerCaseOf(InvalidationMode.values()),
                        Importance.MEDIUM, "collection: a change drops the collection's cached answers; precise: "
                                + "only the answers that used a changed document.");
        return def;
    }

    /** Adds {@value #BOOTSTRAP_SERVERS} to {@code def}. */
    public static ConfigDef defineBootstrap(ConfigDef def) {
        return def.define(BOOTSTRAP_SERVERS, Type.LIST, ConfigDef.NO_DEFAULT_VALUE, (name, value) -> {
            if (value == null || ((List<?>) value).isEmpty()) {
                throw new ConfigException(name, value, "must list at least one host:port");
            }
        }, Importance.HIGH, "Kafka brokers, host:port, comma-separated.");
    }

    /** Adds the Redis connection keys ({@value #REDIS_URL} and its TLS settings) to {@code def}. */
    public static ConfigDef defineRedis(ConfigDef def) {
        return def
                .define(REDIS_URL, Type.STRING, "redis://127.0.0.1:6379", new ConfigDef.NonEmptyString(),
                        Importance.HIGH, "Redis of the four cache layers: redis:// or rediss:// (TLS), with "
                                + "user:password@ and /database if needed. Alias: REDIS_URL.")
                .define(REDIS_TLS_VERIFY, Type.STRING, "full", lowerCaseOf(TlsVerify.values()), Importance.LOW,
                        "TLS verification of rediss:// URLs: full, ca or insecure.")
                .define(REDIS_TLS_TRUSTSTORE, Type.STRING, "", Importance.LOW,
                        "Trust store (PKCS12/JKS) for rediss:// URLs; empty: the JVM's.")
                .define(REDIS_TLS_TRUSTSTORE_PASSWORD, Type.PASSWORD, "", Importance.LOW,
                        "Password of the trust store.");
    }

    /** The Redis cache settings the keys describe ({@link #defineRedis}, and {@value #CACHE_INVALIDATION} if defined). */
    public static RedisCacheSettings.Builder redisSettings(AbstractConfig config) {
        RedisCacheSettings.Builder b = RedisCacheSettings.builder()
                .url(config.getString(REDIS_URL))
                .tlsVerify(TlsVerify.valueOf(config.getString(REDIS_TLS_VERIFY).toUpperCase(Locale.ROOT)));
        if (config.values().containsKey(CACHE_INVALIDATION)) {
            b.invalidationMode(InvalidationMode.valueOf(config.getString(CACHE_INVALIDATION).toUpperCase(Locale.ROOT)));
        }
        String trustStore = config.getString(REDIS_TLS_TRUSTSTORE);
        if (!trustStore.isBlank()) {
            b.trustStore(Path.of(trustStore));
        }
        Password password = config.getPassword(REDIS_TLS_TRUSTSTORE_PASSWORD);
        if (password != null && !password.value().isEmpty()) {
            b.trustStorePassword(password.value());
        }
        return b;
    }

    /** The bootstrap servers as Kafka clients take them. */
    public static String bootstrapServers(AbstractConfig config) {
        return String.join(",", config.getList(BOOTSTRAP_SERVERS));
    }

    /** A validator accepting the lower-case names of {@code values}. */
    public static ValidString lowerCaseOf(Enum<?>[] values) {
        String[] names = new String[values.length];
        for (int i = 0; i < values.length; i++) {
            names[i] = values[i].name().toLowerCase(Locale.ROOT);
        }
        return ValidString.in(names);
    }
}
