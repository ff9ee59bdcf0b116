package io.streamrag.core.cache;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What the caches did for one request: which layers hit, whether Redis was bypassed, the counter snapshot the
 * request keys its entries with, and the documents its retrieval returned (the dependencies of its L1 entry).
 *
 * <p>Opened by the response cache around the wrapped engine and found by the inner layers through
 * {@link Tracer#current()}, a thread-local: the SPIs ({@code Embedder}, {@code VectorStore}) have no request
 * parameter, and a thread-local keeps them unchanged. Consequence: layers called on another thread than the
 * request's record nothing (their hits go unreported and, in PRECISE mode, their documents are not dependencies of
 * the L1 entry beyond its citations). Confined to the request's thread; not thread-safe.
 */
final class CacheTrace implements AutoCloseable {
    private final Tracer owner;
    private final CacheTrace outer;
    private final Set<CacheLayer> hits = EnumSet.noneOf(CacheLayer.class);
    private final Set<String> retrievedDocIds = new LinkedHashSet<>();
    private boolean bypassed;
    private String collection;
    private RedisCaches.Snapshot snapshot;

    private CacheTrace(Tracer owner, CacheTrace outer) {
        this.owner = owner;
        this.outer = outer;
    }

    void hit(CacheLayer layer) {
        hits.add(layer);
    }

    void bypassed() {
        bypassed = true;
    }

    boolean isBypassed() {
        return bypassed;
    }

    void retrieved(String docId) {
        retrievedDocIds.add(docId);
    }

    Set<String> retrievedDocIds() {
        return retrievedDocIds;
    }

    void snapshot(String collection, RedisCaches.Snapshot snapshot) {
        this.collection = collection;
        this.snapshot = snapshot;
    }

    /** The snapshot taken for {@code collection} at the start of the request, or null. */
    RedisCaches.Snapshot snapshotFor(String collection) {
        return collection.equals(this.collection) ? snapshot : null;
    }

    /** Any snapshot of this request (model epochs are global), or null. */
    RedisCaches.Snapshot anySnapshot() {
        return snapshot;
    }

    /** The labels for {@code cacheHits}: layers in order, then the bypass marker. */
    List<String> labels(List<String> alreadyReported) {
        List<String> labels = new ArrayList<>(alreadyReported);
        for (CacheLayer layer : hits) {
            if (!labels.contains(layer.label())) {
                labels.add(layer.label());
            }
        }
        if (bypassed && !labels.contains(CacheLayer.BYPASSED)) {
            labels.add(CacheLayer.BYPASSED);
        }
        return labels;
    }

    @Override
    public void close() {
        owner.current.set(outer);
    }

    /** Holds each thread's open trace; one per {@link RedisCaches}, so no static state. Thread-safe. */
    static final class Tracer {
        private final ThreadLocal<CacheTrace> current = new ThreadLocal<>();

        /** Opens a trace for a request on this thread; close it (try-with-resources) when the request ends. */
        CacheTrace open() {
            CacheTrace trace = new CacheTrace(this, current.get());
            current.set(trace);
            return trace;
        }

        /** The trace of the request running on this thread, or null outside one. */
        CacheTrace current() {
            return current.get();
        }
    }
}
