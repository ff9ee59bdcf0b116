package io.streamrag.streams;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.types.Password;

/** Configuration keys for people: a Markdown table of a {@link ConfigDef}, as docs/deployment.md shows it. */
public final class ConfigDescription {
    private ConfigDescription() {
    }

    /**
     * One row per key, in declaration order: key, environment variables (the {@code STREAMRAG_} name, then its
     * aliases), type, default, documentation.
     */
    public static String markdown(ConfigDef definition, Map<String, List<String>> envAliases) {
        StringBuilder out = new StringBuilder("| key | environment | type | default | what |\n"
                + "| --- | --- | --- | --- | --- |\n");
        for (ConfigDef.ConfigKey key : definition.configKeys().values()) {
            List<String> names = new ArrayList<>(List.of(ConfigSources.envName(key.name)));
            names.addAll(envAliases.getOrDefault(key.name, List.of()));
            out.append("| `").append(key.name).append("` | `").append(String.join("`, `", names)).append("` | ")
                    .append(key.type.name().toLowerCase(java.util.Locale.ROOT)).append(" | ")
                    .append(defaultOf(key)).append(" | ").append(key.documentation.replace("|", "\\|"))
                    .append(" |\n");
        }
        out.append("| `").append(ConfigSources.KAFKA_PREFIX).append("*` | `")
                .append(ConfigSources.envName(ConfigSources.KAFKA_PREFIX)).append("*` | | | any Kafka client property, ")
                .append("passed through (security.protocol, sasl.*, ssl.*) |\n");
        return out.toString();
    }

    private static String defaultOf(ConfigDef.ConfigKey key) {
        if (!key.hasDefault()) {
            return "required";
        }
        Object value = key.defaultValue;
        if (value instanceof Password || value == null) {
            return "";
        }
        if (value instanceof List<?> list) {
            return list.isEmpty() ? "" : "`" + String.join(",", list.stream().map(Object::toString).toList()) + "`";
        }
        String text = value.toString();
        // defaults under the temporary directory are shown as such, not as this machine's path
        String tmp = System.getProperty("java.io.tmpdir");
        if (text.startsWith(tmp)) {
            text = "${java.io.tmpdir}" + text.substring(tmp.length());
        }
        return text.isEmpty() ? "" : "`" + text + "`";
    }
}
