package io.streamrag.core.cache;

import io.streamrag.core.cache.internal.EntryCodec;
import io.streamrag.core.cache.internal.Hashing;
import io.streamrag.core.generate.Citation;
import io.streamrag.core.query.Query;
import io.streamrag.core.query.QueryEngine;
import io.streamrag.core.query.QueryResult;
import java.text.Normalizer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * L1, the response cache: a {@link QueryEngine} decorator keyed by (collection, normalised question, filters, topK).
 *
 * <p>Only answers in degradation mode {@code normal} are cached: a degraded answer must not outlive the failure
 * that caused it. A hit returns the cached answer in mode {@code normal} with {@code cacheHits = [L1]} and zero
 * stage timings; a miss returns the wrapped engine's result with the layers that hit inside it (L2, L3, found
 * through the request's {@link CacheTrace}). When Redis is unavailable the wrapped engine answers alone and
 * {@code cacheHits} contains {@link CacheLayer#BYPASSED}. Cache failures never fail a query.
 *
 * <p>Normalisation: Unicode NFKC, lower case, runs of white space collapsed, trimmed. The embedding model is
 * uncased and both retrievers ignore white space, so these variants get the same answer anyway.
 *
 * <p>Thread-safe when the wrapped engine is; does not own it.
 */
public final class CachingQueryEngine implements QueryEngine {
    private static final Logger LOG = LoggerFactory.getLogger(CachingQueryEngine.class);
    static final String MODE_NORMAL = "normal";

    private final RedisCaches caches;
    private final QueryEngine delegate;

    CachingQueryEngine(RedisCaches caches, QueryEngine delegate) {
        this.caches = Objects.requireNonNull(caches, "caches");
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /**
     * Reads L1 only, with the same key and validity rule as {@link #answer}: the answer a query processor would
     * serve from L1 for {@code query} right now, or empty on a miss or when Redis is unavailable. Nothing is
     * written and no engine is called, so a process without the engine (the HTTP gateway) can serve hits itself
     * with the same invalidation guarantees (run id, collection epoch and, in precise mode, document sequences).
     */
    static Optional<QueryResult> lookup(RedisCaches caches, Query query) {
        Objects.requireNonNull(query, "query");
        long start = System.nanoTime();
        try {
            RedisCaches.Snapshot snapshot = caches.snapshot(query.collection());
            String key = caches.entryKey(CacheLayer.L1, snapshot, query.collection(), snapshot.epoch(), hash(query));
            byte[] cached = caches.getValid(key, query.collection(), Duration.ZERO);
            EntryCodec.CachedAnswer hit = cached == null ? null : EntryCodec.decodeAnswer(cached);
            if (hit == null) {
                return Optional.empty();
            }
            caches.metrics().hit(CacheLayer.L1);
            return Optional.of(new QueryResult(hit.answer(), MODE_NORMAL, hitTimings(start),
                    List.of(CacheLayer.L1.label())));
        } catch (CacheUnavailableException e) {
            LOG.debug("L1 lookup bypassed: {}", e.getMessage());
            return Optional.empty();
        }
    }

    @Override
    public QueryResult answer(Query query) {
        Objects.requireNonNull(query, "query");
        long start = System.nanoTime();
        try (CacheTrace trace = caches.tracer().open()) {
            RedisCaches.Snapshot snapshot;
            try {
                snapshot = caches.snapshot(query.collection());
            } catch (CacheUnavailableException e) {
                return bypassed(query, trace, e);
            }
            trace.snapshot(query.collection(), snapshot);
            String key = caches.entryKey(CacheLayer.L1, snapshot, query.collection(), snapshot.epoch(), hash(query));
            byte[] cached;
            try {
                cached = caches.getValid(key, query.collection(), Duration.ZERO);
            } catch (CacheUnavailableException e) {
                return bypassed(query, trace, e);
            }
            EntryCodec.CachedAnswer hit = cached == null ? null : EntryCodec.decodeAnswer(cached);
            if (hit != null) {
                caches.metrics().hit(CacheLayer.L1);
                return new QueryResult(hit.answer(), MODE_NORMAL, hitTimings(start), List.of(CacheLayer.L1.label()));
            }
            caches.metrics().miss(CacheLayer.L1);
            QueryResult result = delegate.answer(query);
            if (MODE_NORMAL.equals(result.degradationMode()) && !trace.isBypassed()) {
                store(key, snapshot, result, trace);
            }
            return withTrace(result, trace);
        }
    }

    private void store(String key, RedisCaches.Snapshot snapshot, QueryResult result, CacheTrace trace) {
        // Dependencies: everything retrieval returned for this request (the context the answer was made from) and
        // every cited document, in case retrieval ran where the trace could not see it.
        Set<String> docIds = new LinkedHashSet<>(trace.retrievedDocIds());
        for (Citation c : result.answer().citations()) {
            docIds.add(c.docId());
        }
        try {
            caches.put(key, snapshot.seq(), docIds, EntryCodec.encodeAnswer(result.answer(), result.timingsMs()),
                    caches.settings().ttl(CacheLayer.L1));
        } catch (CacheUnavailableException e) {
            LOG.debug("L1 write skipped: {}", e.getMessage());
            trace.bypassed();
        }
    }

    private QueryResult bypassed(Query query, CacheTrace trace, CacheUnavailableException cause) {
        LOG.debug("L1 bypassed: {}", cause.getMessage());
        caches.metrics().bypass(CacheLayer.L1);
        trace.bypassed(); // inner layers skip Redis for the rest of this request
        return withTrace(delegate.answer(query), trace);
    }

    private static QueryResult withTrace(QueryResult result, CacheTrace trace) {
        return new QueryResult(result.answer(), result.degradationMode(), result.timingsMs(),
                trace.labels(result.cacheHits()));
    }

    private static Map<String, Long> hitTimings(long startNanos) {
        Map<String, Long> timings = new LinkedHashMap<>();
        timings.put("embed", 0L);
        timings.put("retrieve", 0L);
        timings.put("rerank", 0L);
        timings.put("generate", 0L);
        timings.put("total", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
        return timings;
    }

    /** The question as the key sees it. */
    static String normalise(String text) {
        return Normalizer.normalize(text, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT).trim().replaceAll("\\s+", " ");
    }

    static String hash(Query query) {
        StringBuilder key = new StringBuilder(normalise(query.text())).append('\0').append(query.topK());
        for (Map.Entry<String, String> f : new TreeMap<>(query.filters()).entrySet()) {
            key.append('\0').append(f.getKey()).append('=').append(f.getValue());
        }
        return Hashing.sha256(key.toString());
    }
}
