package io.streamrag.core.cache;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.streamrag.core.cache.internal.Hashing;
import io.streamrag.core.cache.internal.Scripts;
import io.streamrag.core.embed.Embedder;
import io.streamrag.core.generate.Generator;
import io.streamrag.core.query.Query;
import io.streamrag.core.query.QueryEngine;
import io.streamrag.core.query.QueryResult;
import io.streamrag.core.store.VectorStore;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.SslOptions;
import redis.clients.jedis.SslVerifyMode;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.SetParams;
import redis.clients.jedis.util.JedisURIHelper;

/**
 * The four cache layers on one Redis: a pooled Jedis client behind a circuit breaker, and factories for the
 * decorators that use it ({@link #responseCache}, {@link #embeddingCache}, {@link #retrievalCache},
 * {@link #prefixRouter}, {@link #prefixRouting}) and for the {@link #invalidator()}.
 *
 * <p><b>Staleness protocol</b> (details in {@code docs/caches.md}). Every entry key holds the Redis server's
 * {@code run_id} and the epoch of its collection (L2: of the model); every entry records the collection's change
 * sequence read <em>before</em> it was computed and the documents its result contains. The invalidator bumps the
 * epoch (collection-wide) and/or stamps the changed document with a new sequence (precise); a read only returns an
 * entry whose documents were not stamped after its sequence. Counters never go backwards, and a restarted Redis has
 * a new run_id, so entries from before a restart, restored from disk or not, are unreachable.
 *
 * <p><b>Failures.</b> Every Redis call has short timeouts and goes through one breaker; when Redis fails or the
 * breaker is open, calls throw {@link CacheUnavailableException}, which the decorators turn into a bypass (the
 * request is answered without caches and reports {@link CacheLayer#BYPASSED}).
 *
 * <p>Thread-safe. The creator owns it and closes it after every decorator made from it is out of use; the
 * decorators do not own what they wrap, except {@link PrefixRoutingGenerator}.
 */
public final class RedisCaches implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RedisCaches.class);

    private final RedisCacheSettings settings;
    private final UnifiedJedis redis;
    /** The invalidator's own connections: longer timeouts, no breaker (see {@link #invalidator()}). */
    private final UnifiedJedis invalidationRedis;
    private final CircuitBreaker breaker;
    private final CacheMetrics metrics = new CacheMetrics();
    private final CacheTrace.Tracer tracer = new CacheTrace.Tracer();
    private final String ns;

    private RedisCaches(RedisCacheSettings settings, UnifiedJedis redis, UnifiedJedis invalidationRedis) {
        this.settings = settings;
        this.redis = redis;
        this.invalidationRedis = invalidationRedis;
        this.ns = settings.namespace();
        this.breaker = CircuitBreaker.of("redis", CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(20)
                .minimumNumberOfCalls(5)
                .failureRateThreshold(50)
                .waitDurationInOpenState(settings.breakerOpenFor())
                .permittedNumberOfCallsInHalfOpenState(2)
                .recordExceptions(JedisException.class)
                .build());
        breaker.getEventPublisher().onStateTransition(e ->
                LOG.warn("Redis cache breaker {} ({}): {}", e.getStateTransition(), settings.redactedUrl(),
                        e.getStateTransition().getToState() == CircuitBreaker.State.OPEN
                                ? "caches bypassed" : "probing/resuming caches"));
    }

    /**
     * Creates the client; connects lazily, so this succeeds even while Redis is down (the caches are bypassed until
     * it is reachable).
     *
     * @throws IllegalArgumentException if the URL or TLS options are unusable
     */
    public static RedisCaches connect(RedisCacheSettings settings) {
        Objects.requireNonNull(settings, "settings");
        UnifiedJedis queries = client(settings, settings.connectTimeout(), settings.socketTimeout(),
                settings.poolSize());
        Duration slow = Duration.ofSeconds(1);
        UnifiedJedis invalidations = client(settings, max(settings.connectTimeout(), slow),
                max(settings.socketTimeout(), slow), 2);
        LOG.info("Redis caches on {}", settings);
        return new RedisCaches(settings, queries, invalidations);
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private static UnifiedJedis client(RedisCacheSettings settings, Duration connectTimeout, Duration socketTimeout,
                                       int poolSize) {
        DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis((int) connectTimeout.toMillis())
                .socketTimeoutMillis((int) socketTimeout.toMillis())
                .clientName("streamrag-cache")
                .user(JedisURIHelper.getUser(settings.url()))
                .password(JedisURIHelper.getPassword(settings.url()))
                .database(JedisURIHelper.getDBIndex(settings.url()));
        if (settings.tls()) {
            SslOptions.Builder ssl = SslOptions.builder().sslVerifyMode(switch (settings.tlsVerify()) {
                case FULL -> SslVerifyMode.FULL;
                case CA -> SslVerifyMode.CA;
                case INSECURE -> SslVerifyMode.INSECURE;
            });
            if (settings.trustStore() != null) {
                File file = settings.trustStore().toFile();
                ssl.truststore(file, settings.trustStorePassword() == null
                        ? null : settings.trustStorePassword().toCharArray());
            }
            config.ssl(true).sslOptions(ssl.build());
        }
        GenericObjectPoolConfig<Connection> pool = new GenericObjectPoolConfig<>();
        pool.setMaxTotal(poolSize);
        pool.setMaxIdle(poolSize);
        // waiting for a connection is bounded like every other Redis call: a busy pool means bypass, not queueing
        pool.setMaxWait(socketTimeout);
        pool.setJmxEnabled(false);
        return RedisClient.builder()
                .hostAndPort(JedisURIHelper.getHostAndPort(settings.url()))
                .clientConfig(config.build())
                .poolConfig(pool)
                .build();
    }

    /** L1: wraps an engine with the response cache. */
    public QueryEngine responseCache(QueryEngine delegate) {
        return new CachingQueryEngine(this, delegate);
    }

    /**
     * L1 read-only: the cached answer for {@code query} that {@link #responseCache} would serve now, or empty (a
     * miss, or Redis unavailable). Same key and validity rule; writes nothing.
     */
    public Optional<QueryResult> cachedAnswer(Query query) {
        return CachingQueryEngine.lookup(this, query);
    }

    /** L2: wraps an embedder with the query embedding cache. */
    public Embedder embeddingCache(Embedder delegate) {
        return new CachingEmbedder(this, delegate);
    }

    /** L3: wraps a store with the retrieval cache. */
    public VectorStore retrievalCache(VectorStore delegate) {
        return new CachingVectorStore(this, delegate);
    }

    /** L4: a prefix router over these LLM endpoints. */
    public PrefixRouter prefixRouter(List<String> endpoints) {
        return new PrefixRouter(this, endpoints);
    }

    /**
     * L4 in use: a generator that sends each context to the endpoint holding its longest cached prefix, failing over
     * to the others. Unlike the other decorators it owns what it wraps: closing it closes the endpoints' generators.
     *
     * @param endpoints the generators of replicas serving the same model, by endpoint name (their base URL; the
     *                  name keys the routes in Redis, so it must be the same in every process and across restarts),
     *                  in pool order
     */
    public PrefixRoutingGenerator prefixRouting(Map<String, ? extends Generator> endpoints) {
        return new PrefixRoutingGenerator(this, endpoints);
    }

    /**
     * The invalidator for these caches, in the settings' {@link InvalidationMode}. It uses its own connections
     * with 1 s timeouts and no circuit breaker: an invalidation is retried rather than bypassed, and query-path
     * timeouts (which open the breaker under load) must not hold invalidations back.
     */
    public CacheInvalidator invalidator() {
        return new RedisCacheInvalidator(this, settings.invalidationMode());
    }

    public CacheMetrics metrics() {
        return metrics;
    }

    public RedisCacheSettings settings() {
        return settings;
    }

    /** False while the breaker is open (Redis is being bypassed). */
    public boolean available() {
        return breaker.getState() != CircuitBreaker.State.OPEN && breaker.getState() != CircuitBreaker.State.FORCED_OPEN;
    }

    @Override
    public void close() {
        try {
            invalidationRedis.close();
        } finally {
            redis.close();
        }
    }

    // ---- used by the layers of this package ----

    CacheTrace.Tracer tracer() {
        return tracer;
    }

    /**
     * Counters a request keys its entries with, read before anything is computed.
     *
     * @param runId      the Redis server's run id
     * @param epoch      the collection's epoch (0 when not read)
     * @param seq        the collection's change sequence (0 when not read)
     * @param modelEpoch the embedding model epoch
     */
    record Snapshot(String runId, long epoch, long seq, long modelEpoch) {
    }

    /** Reads run_id, the collection's epoch and sequence, and the model epoch in one atomic call. */
    Snapshot snapshot(String collection) {
        List<String> values = evalStrings("snapshot", Scripts.SNAPSHOT,
                List.of(epochKey(collection), seqKey(collection), modelEpochKey()), List.of());
        return new Snapshot(values.get(0), Long.parseLong(values.get(1)), Long.parseLong(values.get(2)),
                Long.parseLong(values.get(3)));
    }

    /** Reads run_id and the model epoch only (an embedding lookup outside a request). */
    Snapshot modelSnapshot() {
        List<String> values = evalStrings("snapshot", Scripts.SNAPSHOT, List.of(modelEpochKey()), List.of());
        return new Snapshot(values.get(0), 0, 0, Long.parseLong(values.get(1)));
    }

    /** An entry key: {@code ns:layer:runId:scope:epoch:hash}; scope is the collection (L2: the model). */
    String entryKey(CacheLayer layer, Snapshot snapshot, String scope, long epoch, String hash) {
        return ns + ":" + layer + ":" + snapshot.runId() + ":" + scope + ":" + epoch + ":" + hash;
    }

    /** A versioned entry if none of its documents changed since it was computed, else null. */
    byte[] getValid(String key, String collection, Duration extendTtl) {
        return execute("get", r -> (byte[]) r.eval(bytes(Scripts.GET_VALID),
                List.of(bytes(key), bytes(docSeqKey(collection))),
                List.of(bytes(Long.toString(extendTtl.toSeconds())))));
    }

    /**
     * A valid versioned entry found by {@link #firstValid}.
     *
     * @param index the position of its key in the keys asked for
     * @param value its value
     */
    record Found(int index, byte[] value) {
    }

    /**
     * The first of {@code keys} that holds a valid versioned entry (same rule as {@link #getValid}), in one round
     * trip; its TTL is extended by {@code extendTtl} (zero: left alone). Null when none does.
     */
    @SuppressWarnings("unchecked")
    Found firstValid(List<String> keys, String collection, Duration extendTtl) {
        if (keys.isEmpty()) {
            return null;
        }
        List<byte[]> scriptKeys = new ArrayList<>(keys.size() + 1);
        scriptKeys.add(bytes(docSeqKey(collection)));
        keys.forEach(key -> scriptKeys.add(bytes(key)));
        List<Object> found = (List<Object>) execute("get first", r -> r.eval(bytes(Scripts.GET_FIRST_VALID),
                scriptKeys, List.of(bytes(Long.toString(extendTtl.toSeconds())))));
        return found == null ? null : new Found(((Long) found.get(0)).intValue(), (byte[]) found.get(1));
    }

    /** Writes a versioned entry: its value, the sequence it was computed at, and the documents it depends on. */
    void put(String key, long seq, Collection<String> docIds, byte[] value, Duration ttl) {
        putAll(Map.of(key, docIds), seq, value, ttl);
    }

    /**
     * Writes versioned entries that share a value and the sequence they were computed at, in one round trip.
     *
     * @param docIdsByKey each entry's key and the documents it depends on
     */
    void putAll(Map<String, ? extends Collection<String>> docIdsByKey, long seq, byte[] value, Duration ttl) {
        List<byte[]> keys = new ArrayList<>(docIdsByKey.size());
        List<byte[]> args = new ArrayList<>(docIdsByKey.size() + 3);
        args.add(bytes(Long.toString(seq)));
        args.add(value);
        args.add(bytes(Long.toString(Math.max(1, ttl.toSeconds()))));
        docIdsByKey.forEach((key, docIds) -> {
            keys.add(bytes(key));
            args.add(bytes(docList(docIds)));
        });
        execute("put", r -> r.eval(bytes(Scripts.PUT), keys, args));
    }

    /** The documents of an entry as the scripts read them: their {@link #docKey}s, one a line. */
    private static String docList(Collection<String> docIds) {
        StringBuilder docs = new StringBuilder();
        for (String docId : docIds) {
            docs.append(docKey(docId)).append('\n');
        }
        return docs.toString();
    }

    /** A plain value (L2 vectors: nothing to validate beyond the key). */
    byte[] get(String key) {
        return execute("get", r -> r.get(bytes(key)));
    }

    void set(String key, byte[] value, Duration ttl) {
        execute("set", r -> r.set(bytes(key), value, SetParams.setParams().ex(Math.max(1, ttl.toSeconds()))));
    }

    String documentChanged(String collection, String docId, boolean bumpEpoch) {
        return (String) executeInvalidation("invalidate document", r -> r.eval(Scripts.DOCUMENT_CHANGED,
                List.of(seqKey(collection), docSeqKey(collection), epochKey(collection)),
                List.of(docKey(docId), bumpEpoch ? "1" : "0")));
    }

    String bump(List<String> counterKeys) {
        return (String) executeInvalidation("bump", r -> r.eval(Scripts.BUMP, counterKeys, List.of()));
    }

    String epochKey(String collection) {
        return ns + ":ctl:" + collection + ":epoch";
    }

    String seqKey(String collection) {
        return ns + ":ctl:" + collection + ":seq";
    }

    String docSeqKey(String collection) {
        return ns + ":ctl:" + collection + ":docs";
    }

    String modelEpochKey() {
        return ns + ":model-epoch";
    }

    /** Documents are named by a digest in Redis: fixed length, and free of the separator used in entries. */
    static String docKey(String docId) {
        return Hashing.sha256(docId).substring(0, 32);
    }

    @SuppressWarnings("unchecked")
    private List<String> evalStrings(String what, String script, List<String> keys, List<String> args) {
        Object result = execute(what, r -> r.eval(script, keys, args));
        List<String> out = new ArrayList<>();
        for (Object o : (List<Object>) result) {
            out.add(o instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(o));
        }
        return out;
    }

    private <T> T execute(String what, Function<UnifiedJedis, T> call) {
        try {
            return breaker.executeSupplier(() -> call.apply(redis));
        } catch (CallNotPermittedException e) {
            throw new CacheUnavailableException("Redis " + what + " skipped: the cache breaker is open", e);
        } catch (JedisException e) {
            throw new CacheUnavailableException("Redis " + what + " failed on " + settings.redactedUrl() + ": "
                    + e.getMessage(), e);
        }
    }

    private <T> T executeInvalidation(String what, Function<UnifiedJedis, T> call) {
        try {
            return call.apply(invalidationRedis);
        } catch (JedisException e) {
            throw new CacheUnavailableException("Redis " + what + " failed on " + settings.redactedUrl() + ": "
                    + e.getMessage(), e);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
