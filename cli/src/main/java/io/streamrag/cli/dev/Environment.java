package io.streamrag.cli.dev;

import java.util.Map;

/** Reads the dev stack's tuning variables, naming the variable when a value is not usable. */
final class Environment {
    private Environment() {
    }

    /**
     * The positive integer {@code env} sets {@code name} to (surrounding blanks ignored), or {@code fallback} when it
     * is unset or blank.
     *
     * @throws IllegalArgumentException if the value is not a positive integer
     */
    static int positiveInt(Map<String, String> env, String name, int fallback) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            int parsed = Integer.parseInt(value.trim());
            if (parsed > 0) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below, with the variable's name
        }
        throw new IllegalArgumentException(name + " must be a positive integer, got '" + value + "'");
    }
}
