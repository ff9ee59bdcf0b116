package io.streamrag.core.store.internal;

import java.util.regex.Pattern;

/**
 * Validates collection names. A name becomes a directory name (and, elsewhere, part of cache keys and topic
 * records), so only {@code [A-Za-z0-9][A-Za-z0-9_.-]{0,63}} is allowed: no path separators, no {@code ..}
 * start, no leading dot or underscore (names starting with {@code _} are reserved for the store's own files).
 * Internal: not part of the public API.
 */
public final class CollectionNames {
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

    private CollectionNames() {
    }

    /**
     * Returns {@code name} if it is a valid collection name.
     *
     * @throws IllegalArgumentException naming the bad value otherwise
     */
    public static String requireValid(String name) {
        if (name == null || !VALID.matcher(name).matches()) {
            throw new IllegalArgumentException("collection must match " + VALID.pattern() + ", got "
                    + (name == null ? "null" : "'" + name + "'"));
        }
        return name;
    }
}
