package io.streamrag.core;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The one rule for collection names, applied wherever a name enters streamrag: {@code submit} and {@code delete},
 * the HTTP gateway, the query processor's request validation, the ingest job's validation and the stores.
 *
 * <p>A name becomes a directory name, part of cache keys and the first part of the {@code collection/docId} record
 * keys, so only {@value #PATTERN} is allowed: 1 to 64 characters from {@code A-Z a-z 0-9 _ . -}, starting with a
 * letter or digit (no path separators, no {@code ..} start, no leading dot or underscore: names starting with
 * {@code _} are reserved for the store's own files). Thread-safe, stateless.
 */
public final class CollectionNames {
    /** The pattern a whole name must match. */
    public static final String PATTERN = "[A-Za-z0-9][A-Za-z0-9_.-]{0,63}";
    /** The rule in words, for error messages. */
    public static final String RULE = "a collection name is 1 to 64 characters from A-Z a-z 0-9 _ . - and starts"
            + " with a letter or digit";

    private static final Pattern VALID = Pattern.compile(PATTERN);

    private CollectionNames() {
    }

    /** Why {@code name} is not a valid collection name, or empty when it is. */
    public static Optional<String> problem(String name) {
        if (name == null || name.isEmpty()) {
            return Optional.of("collection is missing (" + RULE + ")");
        }
        if (!VALID.matcher(name).matches()) {
            return Optional.of("invalid collection name '" + name + "': " + RULE);
        }
        return Optional.empty();
    }

    /** Whether {@code name} is a valid collection name. */
    public static boolean isValid(String name) {
        return name != null && VALID.matcher(name).matches();
    }

    /**
     * Returns {@code name} if it is a valid collection name.
     *
     * @throws IllegalArgumentException naming the bad value and the rule otherwise
     */
    public static String requireValid(String name) {
        Optional<String> problem = problem(name);
        if (problem.isPresent()) {
            throw new IllegalArgumentException(problem.get());
        }
        return name;
    }
}
