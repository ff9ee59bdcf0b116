package io.streamrag.streams;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.common.config.ConfigDef;

/**
 * Where a streamrag process reads its configuration: a Java properties file, then environment variables over it.
 *
 * <p>Every key a component declares in its {@link ConfigDef} can be set in the file ({@code redis.url=...}) or in the
 * environment as {@code STREAMRAG_} plus the key in upper case with {@code .} and {@code -} as {@code _}
 * ({@code STREAMRAG_REDIS_URL}). Keys under {@value #KAFKA_PREFIX} are Kafka client properties passed through
 * unchanged ({@code kafka.security.protocol=SASL_SSL}, or {@code STREAMRAG_KAFKA_SECURITY_PROTOCOL}), so SASL and TLS
 * need no code. A component may also accept older or conventional variable names ({@code REDIS_URL},
 * {@code OPENAI_API_KEY}) as aliases of a key; the {@code STREAMRAG_} name wins over an alias.
 *
 * <p>Undeclared keys in the file are refused (a typo must not be ignored); undeclared {@code STREAMRAG_} variables
 * are not, since the environment is shared with other tools and the launcher.
 */
public final class ConfigSources {
    /** Keys under this prefix are Kafka client properties, passed through with the prefix removed. */
    public static final String KAFKA_PREFIX = "kafka.";
    /** The prefix of environment variables that set configuration keys. */
    public static final String ENV_PREFIX = "STREAMRAG_";

    private ConfigSources() {
    }

    /**
     * The values of {@code definition}'s keys and of {@code kafka.*} keys: {@code base} values (set by whoever
     * embeds the component, e.g. the dev stack), then {@code file} when given, then {@code env} over them.
     *
     * @param definition the component's keys
     * @param base       values below the file's (keys of {@code definition} or {@code kafka.*})
     * @param file       a properties file, or null for none
     * @param env        the environment (passed in: read at the edge, replaceable in tests)
     * @param envAliases for some keys, other environment variable names that set them, in increasing precedence
     * @return the raw values, for {@code new AbstractConfig(definition, values)}
     * @throws IllegalArgumentException if the file is missing, unreadable or sets a key the component does not have
     */
    public static Map<String, String> load(ConfigDef definition, Map<String, String> base, Path file,
                                           Map<String, String> env, Map<String, List<String>> envAliases) {
        Objects.requireNonNull(definition, "definition");
        Objects.requireNonNull(base, "base");
        Objects.requireNonNull(env, "env");
        Objects.requireNonNull(envAliases, "envAliases");
        Set<String> keys = definition.names();
        Map<String, String> values = new HashMap<>(base);
        if (file != null) {
            readFile(file).forEach((key, value) -> {
                if (!keys.contains(key) && !key.startsWith(KAFKA_PREFIX)) {
                    throw new IllegalArgumentException(file + ": unknown key '" + key + "'; valid keys: "
                            + String.join(", ", definition.names().stream().sorted().toList())
                            + ", and " + KAFKA_PREFIX + "* for Kafka client properties");
                }
                values.put(key, value);
            });
        }
        for (String key : keys) {
            for (String alias : envAliases.getOrDefault(key, List.of())) {
                putIfSet(values, key, env.get(alias));
            }
            putIfSet(values, key, env.get(envName(key)));
        }
        String kafkaEnvPrefix = envName(KAFKA_PREFIX);
        env.forEach((name, value) -> {
            if (name.startsWith(kafkaEnvPrefix) && name.length() > kafkaEnvPrefix.length()) {
                String key = KAFKA_PREFIX + name.substring(kafkaEnvPrefix.length()).toLowerCase(Locale.ROOT)
                        .replace('_', '.');
                putIfSet(values, key, value);
            }
        });
        return values;
    }

    /** The environment variable that sets {@code key}: {@code redis.url} is {@code STREAMRAG_REDIS_URL}. */
    public static String envName(String key) {
        return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** The {@code kafka.*} entries of {@code values}, without the prefix: the Kafka client properties to pass on. */
    public static Map<String, String> kafkaProperties(Map<String, ?> values) {
        Map<String, String> kafka = new HashMap<>();
        values.forEach((key, value) -> {
            if (key.startsWith(KAFKA_PREFIX) && value != null) {
                kafka.put(key.substring(KAFKA_PREFIX.length()), value.toString());
            }
        });
        return kafka;
    }

    private static void putIfSet(Map<String, String> values, String key, String value) {
        if (value != null && !value.isBlank()) {
            values.put(key, value.trim());
        }
    }

    private static Map<String, String> readFile(Path file) {
        Properties props = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            props.load(in);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("configuration file " + file + " does not exist", e);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read configuration file " + file + ": " + e.getMessage(), e);
        }
        Map<String, String> values = new HashMap<>();
        props.stringPropertyNames().forEach(key -> values.put(key.trim(), props.getProperty(key).trim()));
        return values;
    }
}
