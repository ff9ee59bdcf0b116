package io.streamrag.core.store.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;

/**
 * The per-collection settings a writer records in {@code <collection>/collection.properties} when it creates
 * the collection. Readers and later writers use the recorded values rather than their own configuration, so a
 * changed setting never re-routes documents that are already stored. Internal: not part of the public API.
 *
 * @param shards    number of shards, > 0
 * @param dimension vector dimension, > 0
 */
public record CollectionSettings(int shards, int dimension) {
    public static final String FILE_NAME = "collection.properties";
    /** Bumped when the stored layout changes incompatibly; readers refuse formats they do not know. */
    static final int FORMAT = 1;

    public CollectionSettings {
        if (shards <= 0) {
            throw new IllegalArgumentException("shards must be > 0, got " + shards);
        }
        if (dimension <= 0) {
            throw new IllegalArgumentException("dimension must be > 0, got " + dimension);
        }
    }

    /** Reads the settings of the collection in {@code collectionDir}, or empty when none were recorded yet. */
    public static Optional<CollectionSettings> read(Path collectionDir) throws IOException {
        Path file = collectionDir.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        Properties props = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            props.load(in);
        }
        int format = intProperty(props, "format", file);
        if (format != FORMAT) {
            throw new IOException("unsupported collection format " + format + " in " + file + " (this build reads "
                    + FORMAT + ")");
        }
        return Optional.of(new CollectionSettings(intProperty(props, "shards", file),
                intProperty(props, "dimension", file)));
    }

    /** Writes the settings atomically (temp file, fsync, rename), so a reader never sees a half-written file. */
    public void write(Path collectionDir) throws IOException {
        Properties props = new Properties();
        props.setProperty("format", Integer.toString(FORMAT));
        props.setProperty("shards", Integer.toString(shards));
        props.setProperty("dimension", Integer.toString(dimension));
        props.setProperty("vectorSimilarity", "dot_product");
        AtomicFiles.write(collectionDir.resolve(FILE_NAME), out -> props.store(out, "streamrag collection"));
    }

    private static int intProperty(Properties props, String key, Path file) throws IOException {
        String value = props.getProperty(key);
        if (value == null) {
            throw new IOException("missing '" + key + "' in " + file);
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IOException("'" + key + "' in " + file + " is not an integer: '" + value + "'", e);
        }
    }
}
