package io.streamrag.core.store.internal;

import io.streamrag.core.store.CollectionProfile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;

/**
 * The per-collection settings a writer records in {@code <collection>/collection.properties} when it creates
 * the collection. Readers and later writers use the recorded values rather than their own configuration, so a
 * changed setting never re-routes documents that are already stored. Internal: not part of the public API.
 *
 * <p>The embedding model and chunking keys are optional (collections created before they were recorded lack
 * them), so adding them did not change {@link #FORMAT}: older builds ignore keys they do not know.
 *
 * @param profile the recorded values
 */
public record CollectionSettings(CollectionProfile profile) {
    public static final String FILE_NAME = "collection.properties";
    /** Bumped when the stored layout changes incompatibly; readers refuse formats they do not know. */
    static final int FORMAT = 1;

    private static final String MODEL = "embeddingModel";
    private static final String CHUNK_MAX_TOKENS = "chunkMaxTokens";
    private static final String CHUNK_OVERLAP_TOKENS = "chunkOverlapTokens";

    public CollectionSettings {
        Objects.requireNonNull(profile, "profile");
    }

    /** Settings with only a shard count and dimension (no model or chunking recorded). */
    public CollectionSettings(int shards, int dimension) {
        this(new CollectionProfile(shards, dimension, Optional.empty(), Optional.empty()));
    }

    public int shards() {
        return profile.shards();
    }

    public int dimension() {
        return profile.dimension();
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
        Optional<String> model = Optional.ofNullable(props.getProperty(MODEL)).map(String::trim);
        Optional<CollectionProfile.Chunking> chunking = Optional.empty();
        if (props.containsKey(CHUNK_MAX_TOKENS) || props.containsKey(CHUNK_OVERLAP_TOKENS)) {
            chunking = Optional.of(new CollectionProfile.Chunking(intProperty(props, CHUNK_MAX_TOKENS, file),
                    intProperty(props, CHUNK_OVERLAP_TOKENS, file)));
        }
        try {
            return Optional.of(new CollectionSettings(new CollectionProfile(intProperty(props, "shards", file),
                    intProperty(props, "dimension", file), model, chunking)));
        } catch (IllegalArgumentException e) {
            throw new IOException("invalid settings in " + file + ": " + e.getMessage(), e);
        }
    }

    /** Writes the settings atomically (temp file, fsync, rename), so a reader never sees a half-written file. */
    public void write(Path collectionDir) throws IOException {
        Properties props = new Properties();
        props.setProperty("format", Integer.toString(FORMAT));
        props.setProperty("shards", Integer.toString(shards()));
        props.setProperty("dimension", Integer.toString(dimension()));
        props.setProperty("vectorSimilarity", "dot_product");
        profile.embeddingModelId().ifPresent(model -> props.setProperty(MODEL, model));
        profile.chunking().ifPresent(chunking -> {
            props.setProperty(CHUNK_MAX_TOKENS, Integer.toString(chunking.maxTokens()));
            props.setProperty(CHUNK_OVERLAP_TOKENS, Integer.toString(chunking.overlapTokens()));
        });
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
