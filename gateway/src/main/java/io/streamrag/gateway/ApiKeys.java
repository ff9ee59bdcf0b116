package io.streamrag.gateway;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

/**
 * API keys and the collections each may read (ask) and write (documents), loaded from a properties file that holds
 * only SHA-256 hashes of the keys: {@code <sha256 hex of the key> = read:docs,wiki write:docs} ({@code *} for every
 * collection; {@code read} or {@code write} may be left out). A key's hash:
 * {@code printf %s KEY | sha256sum}. Immutable, thread-safe.
 */
final class ApiKeys {
    /** What a key may do. */
    record Grant(Set<String> read, Set<String> write) {
        boolean mayRead(String collection) {
            return read.contains("*") || read.contains(collection);
        }

        boolean mayWrite(String collection) {
            return write.contains("*") || write.contains(collection);
        }
    }

    private final Map<String, Grant> byHash;

    private ApiKeys(Map<String, Grant> byHash) {
        this.byHash = Map.copyOf(byHash);
    }

    /**
     * Reads a keys file.
     *
     * @throws IllegalArgumentException naming the file and the line's key when an entry is malformed
     */
    static ApiKeys load(Path file) {
        Properties props = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            props.load(in);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("API keys file " + file + " does not exist", e);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read API keys file " + file, e);
        }
        Map<String, Grant> grants = new HashMap<>();
        for (String hash : props.stringPropertyNames()) {
            String normalised = hash.trim().toLowerCase(Locale.ROOT);
            if (!normalised.matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException(file + ": '" + hash + "' is not a SHA-256 hex digest of a key"
                        + " (store hashes, never keys)");
            }
            grants.put(normalised, parse(file, props.getProperty(hash)));
        }
        return new ApiKeys(grants);
    }

    private static Grant parse(Path file, String value) {
        Set<String> read = Set.of();
        Set<String> write = Set.of();
        for (String part : value.trim().split("\\s+")) {
            if (part.isEmpty()) {
                continue;
            }
            int colon = part.indexOf(':');
            String kind = colon < 0 ? "" : part.substring(0, colon);
            Set<String> collections = colon < 0 ? Set.of() : Set.of(part.substring(colon + 1).split(","));
            switch (kind) {
                case "read" -> read = collections;
                case "write" -> write = collections;
                default -> throw new IllegalArgumentException(file + ": '" + part + "' must be read:C1,C2 or"
                        + " write:C1,C2");
            }
        }
        return new Grant(read, write);
    }

    /**
     * Lets the request through when its key ({@code Authorization: Bearer KEY}, as OpenAI clients send it, or
     * {@code X-API-Key: KEY}) may read, or write, {@code collection}.
     *
     * @throws ApiException 401 without a known key, 403 when the key may not do this to the collection
     */
    void authorize(Context ctx, String collection, boolean write) {
        String key = ctx.header("X-API-Key");
        String authorization = ctx.header("Authorization");
        if (key == null && authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            key = authorization.substring(7).trim();
        }
        if (key == null || key.isEmpty()) {
            throw new ApiException(401, "an API key is needed: send Authorization: Bearer KEY");
        }
        Grant grant = grantOf(key).orElseThrow(() -> new ApiException(401, "unknown API key"));
        if (write ? !grant.mayWrite(collection) : !grant.mayRead(collection)) {
            throw new ApiException(403, "this API key may not " + (write ? "write" : "read") + " collection '"
                    + collection + "'");
        }
    }

    /** The grant of {@code key} (as the client sent it), or empty for an unknown key. */
    Optional<Grant> grantOf(String key) {
        return key == null || key.isEmpty() ? Optional.empty() : Optional.ofNullable(byHash.get(hash(key)));
    }

    /** The SHA-256 hex digest of {@code key}, as the keys file stores it. */
    static String hash(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
