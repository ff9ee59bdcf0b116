package io.streamrag.core.cache;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How the caches reach Redis and how long entries live.
 *
 * <table>
 *   <caption>options</caption>
 *   <tr><th>option</th><th>default</th><th>rule</th></tr>
 *   <tr><td>{@code url}</td><td>{@value #DEFAULT_URL}</td><td>{@code redis://} or {@code rediss://} (TLS), with
 *       optional {@code user:password@} and {@code /db}; env {@code REDIS_URL}</td></tr>
 *   <tr><td>{@code trustStore}, {@code trustStorePassword}</td><td>the JVM's</td><td>a JKS/PKCS12 file for
 *       {@code rediss://}; env {@code REDIS_TLS_TRUSTSTORE}, {@code REDIS_TLS_TRUSTSTORE_PASSWORD}</td></tr>
 *   <tr><td>{@code tlsVerify}</td><td>{@code FULL}</td><td>FULL (chain and host name), CA (chain only) or
 *       INSECURE; env {@code REDIS_TLS_VERIFY}</td></tr>
 *   <tr><td>{@code connectTimeout}, {@code socketTimeout}</td><td>50 ms each</td><td>&gt; 0; short, so that a
 *       dead Redis never holds a query up for long</td></tr>
 *   <tr><td>{@code poolSize}</td><td>16</td><td>&gt; 0 connections</td></tr>
 *   <tr><td>{@code namespace}</td><td>{@value #DEFAULT_NAMESPACE}</td><td>prefix of every key; not blank, no
 *       ':'</td></tr>
 *   <tr><td>{@code l1Ttl}, {@code l2Ttl}, {@code l3Ttl}, {@code l4Ttl}</td><td>1 h, 24 h, 15 min, 1 h (L4: idle
 *       time, extended on every hit)</td><td>&ge; 1 s</td></tr>
 *   <tr><td>{@code breakerOpenFor}</td><td>2 s</td><td>&gt; 0; how long an open breaker bypasses Redis before
 *       probing it</td></tr>
 *   <tr><td>{@code invalidationMode}</td><td>COLLECTION</td><td>see {@link InvalidationMode}; env
 *       {@code STREAMRAG_CACHE_INVALIDATION}</td></tr>
 * </table>
 *
 * <p>Immutable and thread-safe.
 */
public final class RedisCacheSettings {
    public static final String DEFAULT_URL = "redis://localhost:6379";
    public static final String DEFAULT_NAMESPACE = "streamrag";

    /** How a {@code rediss://} server certificate is checked. */
    public enum TlsVerify { FULL, CA, INSECURE }

    private final URI url;
    private final Path trustStore;
    private final String trustStorePassword;
    private final TlsVerify tlsVerify;
    private final Duration connectTimeout;
    private final Duration socketTimeout;
    private final int poolSize;
    private final String namespace;
    private final Duration l1Ttl;
    private final Duration l2Ttl;
    private final Duration l3Ttl;
    private final Duration l4Ttl;
    private final Duration breakerOpenFor;
    private final InvalidationMode invalidationMode;

    private RedisCacheSettings(Builder b) {
        this.url = b.url;
        this.trustStore = b.trustStore;
        this.trustStorePassword = b.trustStorePassword;
        this.tlsVerify = b.tlsVerify;
        this.connectTimeout = b.connectTimeout;
        this.socketTimeout = b.socketTimeout;
        this.poolSize = b.poolSize;
        this.namespace = b.namespace;
        this.l1Ttl = b.l1Ttl;
        this.l2Ttl = b.l2Ttl;
        this.l3Ttl = b.l3Ttl;
        this.l4Ttl = b.l4Ttl;
        this.breakerOpenFor = b.breakerOpenFor;
        this.invalidationMode = b.invalidationMode;
    }

    public static Builder builder() {
        return new Builder();
    }

    public URI url() {
        return url;
    }

    public boolean tls() {
        return "rediss".equals(url.getScheme());
    }

    public Path trustStore() {
        return trustStore;
    }

    public String trustStorePassword() {
        return trustStorePassword;
    }

    public TlsVerify tlsVerify() {
        return tlsVerify;
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    public Duration socketTimeout() {
        return socketTimeout;
    }

    public int poolSize() {
        return poolSize;
    }

    public String namespace() {
        return namespace;
    }

    public Duration ttl(CacheLayer layer) {
        return switch (layer) {
            case L1 -> l1Ttl;
            case L2 -> l2Ttl;
            case L3 -> l3Ttl;
            case L4 -> l4Ttl;
        };
    }

    public Duration breakerOpenFor() {
        return breakerOpenFor;
    }

    public InvalidationMode invalidationMode() {
        return invalidationMode;
    }

    /** The URL without its password, for logs. */
    public String redactedUrl() {
        return url.getScheme() + "://" + (url.getUserInfo() != null ? "***@" : "") + url.getHost() + ":"
                + (url.getPort() < 0 ? 6379 : url.getPort()) + (url.getPath() == null ? "" : url.getPath());
    }

    @Override
    public String toString() {
        return "RedisCacheSettings{url=" + redactedUrl() + ", tlsVerify=" + tlsVerify + ", trustStore=" + trustStore
                + ", connectTimeout=" + connectTimeout + ", socketTimeout=" + socketTimeout + ", poolSize=" + poolSize
                + ", namespace=" + namespace + ", ttl L1/L2/L3/L4=" + l1Ttl + "/" + l2Ttl + "/" + l3Ttl + "/" + l4Ttl
                + ", breakerOpenFor=" + breakerOpenFor + ", invalidationMode=" + invalidationMode + "}";
    }

    /** Collects and validates options; not thread-safe. Each setter rejects a bad value at once. */
    public static final class Builder {
        private URI url = URI.create(DEFAULT_URL);
        private Path trustStore;
        private String trustStorePassword;
        private TlsVerify tlsVerify = TlsVerify.FULL;
        private Duration connectTimeout = Duration.ofMillis(50);
        private Duration socketTimeout = Duration.ofMillis(50);
        private int poolSize = 16;
        private String namespace = DEFAULT_NAMESPACE;
        private Duration l1Ttl = Duration.ofHours(1);
        private Duration l2Ttl = Duration.ofHours(24);
        private Duration l3Ttl = Duration.ofMinutes(15);
        private Duration l4Ttl = Duration.ofHours(1);
        private Duration breakerOpenFor = Duration.ofSeconds(2);
        private InvalidationMode invalidationMode = InvalidationMode.COLLECTION;

        private Builder() {
        }

        public Builder url(String url) {
            Objects.requireNonNull(url, "url");
            URI parsed;
            try {
                parsed = URI.create(url);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("url must be a redis:// or rediss:// URL, got an unparsable one", e);
            }
            if (!"redis".equals(parsed.getScheme()) && !"rediss".equals(parsed.getScheme())) {
                throw new IllegalArgumentException("url must start with redis:// or rediss://, got scheme "
                        + parsed.getScheme());
            }
            if (parsed.getHost() == null) {
                throw new IllegalArgumentException("url must name a host, e.g. redis://localhost:6379");
            }
            this.url = parsed;
            return this;
        }

        public Builder trustStore(Path trustStore) {
            this.trustStore = Objects.requireNonNull(trustStore, "trustStore");
            return this;
        }

        public Builder trustStorePassword(String trustStorePassword) {
            this.trustStorePassword = Objects.requireNonNull(trustStorePassword, "trustStorePassword");
            return this;
        }

        public Builder tlsVerify(TlsVerify tlsVerify) {
            this.tlsVerify = Objects.requireNonNull(tlsVerify, "tlsVerify");
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive("connectTimeout", timeout);
            return this;
        }

        public Builder socketTimeout(Duration timeout) {
            this.socketTimeout = positive("socketTimeout", timeout);
            return this;
        }

        public Builder poolSize(int poolSize) {
            if (poolSize <= 0) {
                throw new IllegalArgumentException("poolSize must be > 0, got " + poolSize);
            }
            this.poolSize = poolSize;
            return this;
        }

        public Builder namespace(String namespace) {
            if (namespace == null || namespace.isBlank() || namespace.contains(":")) {
                throw new IllegalArgumentException("namespace must be non-blank without ':', got " + namespace);
            }
            this.namespace = namespace;
            return this;
        }

        public Builder ttl(CacheLayer layer, Duration ttl) {
            Objects.requireNonNull(layer, "layer");
            Objects.requireNonNull(ttl, "ttl");
            if (ttl.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new IllegalArgumentException(layer + " ttl must be >= 1s, got " + ttl);
            }
            switch (layer) {
                case L1 -> l1Ttl = ttl;
                case L2 -> l2Ttl = ttl;
                case L3 -> l3Ttl = ttl;
                case L4 -> l4Ttl = ttl;
                default -> throw new IllegalArgumentException("unknown layer " + layer);
            }
            return this;
        }

        public Builder breakerOpenFor(Duration duration) {
            this.breakerOpenFor = positive("breakerOpenFor", duration);
            return this;
        }

        public Builder invalidationMode(InvalidationMode mode) {
            this.invalidationMode = Objects.requireNonNull(mode, "invalidationMode");
            return this;
        }

        /** @throws IllegalStateException if a trust store is set for a plain redis:// URL */
        public RedisCacheSettings build() {
            if (trustStore != null && !"rediss".equals(url.getScheme())) {
                throw new IllegalStateException("a TLS trust store needs a rediss:// url, got " + url.getScheme());
            }
            return new RedisCacheSettings(this);
        }

        private static Duration positive(String name, Duration d) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be > 0, got " + d);
            }
            return d;
        }
    }
}
