package io.streamrag.core.store;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.elasticsearch._types.FieldValue;
import co.elastic.clients.elasticsearch._types.Refresh;
import co.elastic.clients.elasticsearch._types.SearchType;
import co.elastic.clients.elasticsearch._types.WaitForActiveShardOptions;
import co.elastic.clients.elasticsearch.indices.CreateIndexResponse;
import co.elastic.clients.elasticsearch._types.query_dsl.Query;
import co.elastic.clients.elasticsearch.core.BulkRequest;
import co.elastic.clients.elasticsearch.core.BulkResponse;
import co.elastic.clients.elasticsearch.core.SearchResponse;
import co.elastic.clients.elasticsearch.core.bulk.BulkResponseItem;
import co.elastic.clients.elasticsearch.core.search.Hit;
import co.elastic.clients.elasticsearch.indices.get_mapping.IndexMappingRecord;
import co.elastic.clients.json.JsonData;
import co.elastic.clients.json.jackson.JacksonJsonpMapper;
import co.elastic.clients.transport.rest_client.RestClientTransport;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamrag.core.chunk.Chunk;
import io.streamrag.core.CollectionNames;
import io.streamrag.core.store.internal.KeywordQueries;
import io.streamrag.core.store.internal.UnitVectors;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.http.HttpHost;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.elasticsearch.client.RestClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A networked {@link VectorStore} on an Elasticsearch cluster (8.19), through the official Java client: one index
 * per collection with settable primary shards and replicas, so that searches go on while a node is down.
 *
 * <p>Layout: collection {@code C} lives in index {@code <prefix><C>} ({@link #indexName}), created by the first
 * commit that writes to it, with {@code number_of_shards} and {@code number_of_replicas} of the writer's builder and
 * the collection's {@link CollectionProfile} (shards, dimension, embedding model, chunking) in the mapping's
 * {@code _meta}. One Elasticsearch document per chunk, its {@code _id} the chunk id, so rewriting a chunk
 * overwrites it (idempotent writes). Fields: {@code chunkId}, {@code collection}, {@code docId} (keywords),
 * {@code version}, {@code ordinal}, {@code title}, {@code text} (stored in {@code _source} only), {@code meta}
 * (flattened: exact-match per key), {@code vector} (dense_vector, HNSW, dot product on vectors the store
 * L2-normalises: cosine ranking, as in the Lucene store) and {@code terms}.
 *
 * <p>BM25 ranks exactly as in {@link LuceneShardStore}: the store analyses title + text with Lucene's
 * {@link EnglishAnalyzer} itself and indexes the tokens in {@code terms}, whose analyzer only splits on whitespace;
 * queries are analysed the same way. (The distribution that runs here has no {@code english} analyzer, and this
 * way the two stores tokenise identically whatever plugins a cluster has.) The similarity is BM25 with
 * {@code k1=0.9, b=0.4} and keyword searches run {@code dfs_query_then_fetch}, so that term statistics are global
 * across shards, again as in the Lucene store. Hybrid fusion happens above the store ({@code HybridSearcher}).
 *
 * <p>Visibility: writes are held in this instance until {@link #commit()}, which sends them in one bulk request
 * with {@code refresh=true}: when it returns, every copy of every touched shard has refreshed, so every reader
 * sees the commit (commit before announce). A commit that fails part-way leaves the part that succeeded visible
 * and throws; replaying the same writes repairs it (writes are idempotent). Every search filters on the collection
 * field besides going to the collection's index: collections are walls even if indices are aliased together. A
 * search answers from all shards of the collection or fails: a shard whose copy fails is retried on another copy
 * (a replica), and partial results are refused.
 *
 * <p>Commit epochs are {@code max(previous + 1, wall-clock milliseconds)}: increasing within an instance and,
 * unless the clock steps back, across restarts.
 *
 * <p>Thread-safety: as {@link VectorStore} says, writes and {@link #commit()} from one thread, searches from many.
 * The store owns its client and closes it in {@link #close()}, discarding uncommitted writes.
 */
public final class ElasticsearchVectorStore implements VectorStore {
    public static final String DEFAULT_INDEX_PREFIX = "streamrag-";
    public static final int DEFAULT_SHARDS = 3;
    public static final int DEFAULT_REPLICAS = 1;
    /** Elasticsearch's cap on hits of one search ({@code index.max_result_window}) and on kNN candidates. */
    static final int MAX_HITS = 10_000;
    private static final String CHUNK_ID = "chunkId";
    private static final String COLLECTION = "collection";
    private static final String DOC_ID = "docId";
    private static final String VERSION = "version";
    private static final String ORDINAL = "ordinal";
    private static final String TITLE = "title";
    private static final String TEXT = "text";
    private static final String META = "meta";
    private static final String VECTOR = "vector";
    private static final String TERMS = "terms";
    private static final Logger LOG = LoggerFactory.getLogger(ElasticsearchVectorStore.class);

    private final List<String> hosts;
    private final String indexPrefix;
    private final int shards;
    private final Map<String, Integer> shardOverrides;
    private final int replicas;
    private final int dimension;
    private final Optional<String> embeddingModelId;
    private final Optional<CollectionProfile.Chunking> chunking;
    private final boolean readOnly;
    private final RestClient restClient;
    private final ElasticsearchClient client;
    private final ObjectMapper json = new ObjectMapper();
    private final Analyzer analyzer = new EnglishAnalyzer();
    /** Recorded settings of collections known to exist; they never change. */
    private final ConcurrentMap<String, CollectionProfile> profiles = new ConcurrentHashMap<>();
    /** Writes since the last commit, by document, in write order; touched by the writer thread only. */
    private final Map<DocumentKey, PendingDocument> pending = new LinkedHashMap<>();
    private long epoch;
    private volatile boolean closed;

    private ElasticsearchVectorStore(Builder builder) {
        this.hosts = List.copyOf(builder.hosts);
        this.indexPrefix = builder.indexPrefix;
        this.shards = builder.shards;
        this.shardOverrides = Map.copyOf(builder.shardOverrides);
        this.replicas = builder.replicas;
        this.dimension = builder.dimension;
        this.embeddingModelId = Optional.ofNullable(builder.embeddingModelId);
        this.chunking = Optional.ofNullable(builder.chunking);
        this.readOnly = builder.readOnly;
        this.restClient = RestClient.builder(hosts.stream().map(HttpHost::create).toArray(HttpHost[]::new)).build();
        this.client = new ElasticsearchClient(new RestClientTransport(restClient, new JacksonJsonpMapper(json)));
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The index of {@code collection}: the prefix, then the name lower-cased with {@code _} written {@code __} and
     * each upper-case letter {@code _} + its lower case, so that distinct collection names (which may differ in
     * case only) give distinct index names, which Elasticsearch wants in lower case.
     *
     * @throws IllegalArgumentException when the name is not a valid collection name
     */
    public static String indexName(String prefix, String collection) {
        CollectionNames.requireValid(collection);
        StringBuilder name = new StringBuilder(prefix);
        for (char c : collection.toCharArray()) {
            if (c == '_') {
                name.append("__");
            } else if (Character.isUpperCase(c)) {
                name.append('_').append(Character.toLowerCase(c));
            } else {
                name.append(c);
            }
        }
        return name.toString();
    }

    private String index(String collection) {
        return indexName(indexPrefix, collection);
    }

    @Override
    public WriteResult replaceDocument(String collection, String docId, List<IndexedChunk> chunks) {
        requireWritable();
        CollectionNames.requireValid(collection);
        Objects.requireNonNull(docId, "docId");
        Objects.requireNonNull(chunks, "chunks");
        if (chunks.isEmpty()) {
            return deleteDocument(collection, docId);
        }
        int expectedDimension = recordedSettings(collection).map(CollectionProfile::dimension).orElse(dimension);
        List<IndexedChunk> unit = new ArrayList<>(chunks.size());
        List<String> ids = new ArrayList<>(chunks.size());
        Set<String> seen = new HashSet<>();
        for (IndexedChunk indexed : chunks) {
            Chunk chunk = indexed.chunk();
            if (!chunk.collection().equals(collection) || !chunk.docId().equals(docId)) {
                throw new IllegalArgumentException("chunk " + chunk.chunkId() + " belongs to " + chunk.collection()
                        + "/" + chunk.docId() + ", not to " + collection + "/" + docId);
            }
            if (!seen.add(chunk.chunkId())) {
                throw new IllegalArgumentException("duplicate chunk id " + chunk.chunkId() + " in one write");
            }
            unit.add(new IndexedChunk(chunk, UnitVectors.normalise(indexed.vector(), expectedDimension, collection,
                    "vector of chunk " + chunk.chunkId())));
            ids.add(chunk.chunkId());
        }
        PendingDocument document = pendingDocument(collection, docId);
        List<String> previous = document.currentIds();
        document.chunks = List.copyOf(unit);
        return new WriteResult(ids, previous.stream().filter(id -> !seen.contains(id)).toList());
    }

    @Override
    public WriteResult deleteDocument(String collection, String docId) {
        requireWritable();
        CollectionNames.requireValid(collection);
        Objects.requireNonNull(docId, "docId");
        PendingDocument document = pendingDocument(collection, docId);
        List<String> previous = document.currentIds();
        document.chunks = List.of();
        return new WriteResult(List.of(), previous);
    }

    /** The pending state of a document, fetching its committed chunk ids when this batch first touches it. */
    private PendingDocument pendingDocument(String collection, String docId) {
        ensureOpen();
        DocumentKey key = new DocumentKey(collection, docId);
        PendingDocument document = pending.get(key);
        if (document == null) {
            document = new PendingDocument(committedChunkIds(collection, docId));
            pending.put(key, document);
        }
        return document;
    }

    /**
     * Sends every write since the last commit in one bulk request, creating the indices of new collections first,
     * and returns once they are refreshed on every shard copy. A commit with nothing to send returns the current
     * epoch.
     *
     * @throws IllegalStateException naming the failed chunks, when the cluster refused part of the bulk
     */
    @Override
    public long commit() {
        requireWritable();
        ensureOpen();
        if (pending.isEmpty()) {
            return epoch;
        }
        BulkRequest.Builder bulk = new BulkRequest.Builder().refresh(Refresh.True);
        int operations = 0;
        for (Map.Entry<DocumentKey, PendingDocument> e : pending.entrySet()) {
            String collection = e.getKey().collection();
            PendingDocument document = e.getValue();
            String index = index(collection);
            Set<String> kept = new HashSet<>();
            for (IndexedChunk indexed : document.chunks) {
                ensureIndex(collection);
                ObjectNode source = toSource(indexed);
                bulk.operations(op -> op.index(i -> i.index(index).id(indexed.chunk().chunkId()).document(source)));
                kept.add(indexed.chunk().chunkId());
                operations++;
            }
            for (String stale : document.committedIds) {
                if (!kept.contains(stale)) {
                    bulk.operations(op -> op.delete(d -> d.index(index).id(stale)));
                    operations++;
                }
            }
        }
        if (operations > 0) {
            BulkResponse response = call("committing " + pending.size() + " documents", () -> client.bulk(bulk.build()));
            if (response.errors()) {
                List<String> failures = new ArrayList<>();
                for (BulkResponseItem item : response.items()) {
                    // deleting a chunk that is already gone (a replayed batch) is what a delete wants
                    if (item.error() != null && item.status() != 404) {
                        failures.add(item.id() + " in " + item.index() + ": " + item.error().reason());
                    }
                }
                if (!failures.isEmpty()) {
                    throw new IllegalStateException(failures.size() + " of " + operations + " writes failed; "
                            + "replaying the batch repairs a partial commit; first failures: "
                            + failures.subList(0, Math.min(5, failures.size())));
                }
            }
        }
        pending.clear();
        epoch = Math.max(epoch + 1, System.currentTimeMillis());
        return epoch;
    }

    @Override
    public List<ScoredChunk> searchDense(float[] queryVector, int k, SearchFilter filter) {
        Objects.requireNonNull(queryVector, "queryVector");
        requirePositiveK(k);
        Objects.requireNonNull(filter, "filter");
        ensureOpen();
        Optional<CollectionProfile> profile = recordedSettings(filter.collection());
        if (profile.isEmpty()) {
            return List.of();
        }
        float[] unit = UnitVectors.normalise(queryVector, profile.get().dimension(), filter.collection(),
                "query vector");
        List<Float> vector = new ArrayList<>(unit.length);
        for (float x : unit) {
            vector.add(x);
        }
        int hits = Math.min(k, MAX_HITS);
        int candidates = Math.min(MAX_HITS, Math.max(100, 2 * hits));
        List<Query> filters = filters(filter);
        return search("dense search", () -> client.search(s -> s
                .index(index(filter.collection()))
                .allowPartialSearchResults(false)
                .ignoreUnavailable(true)
                .allowNoIndices(true)
                .knn(knn -> knn.field(VECTOR).queryVector(vector).k(hits).numCandidates(candidates).filter(filters))
                .size(hits)
                .source(src -> src.filter(f -> f.excludes(VECTOR, TERMS))), ObjectNode.class));
    }

    @Override
    public List<ScoredChunk> searchKeyword(String queryText, int k, SearchFilter filter) {
        Objects.requireNonNull(queryText, "queryText");
        requirePositiveK(k);
        Objects.requireNonNull(filter, "filter");
        ensureOpen();
        Set<String> terms = KeywordQueries.analyze(analyzer, TERMS, queryText);
        if (terms.isEmpty() || recordedSettings(filter.collection()).isEmpty()) {
            return List.of();
        }
        int hits = Math.min(k, MAX_HITS);
        String analysed = String.join(" ", terms);
        List<Query> filters = filters(filter);
        return search("keyword search", () -> client.search(s -> s
                .index(index(filter.collection()))
                .allowPartialSearchResults(false)
                .ignoreUnavailable(true)
                .allowNoIndices(true)
                .searchType(SearchType.DfsQueryThenFetch)
                .query(q -> q.bool(b -> b.must(m -> m.match(t -> t.field(TERMS).query(analysed))).filter(filters)))
                .size(hits)
                .source(src -> src.filter(f -> f.excludes(VECTOR, TERMS))), ObjectNode.class));
    }

    /** The collection, always, then one exact match per metadata entry. */
    private static List<Query> filters(SearchFilter filter) {
        List<Query> filters = new ArrayList<>();
        filters.add(Query.of(q -> q.term(t -> t.field(COLLECTION).value(FieldValue.of(filter.collection())))));
        for (Map.Entry<String, String> e : new TreeMap<>(filter.metadata()).entrySet()) {
            filters.add(Query.of(q -> q.term(t -> t.field(META + "." + e.getKey()).value(FieldValue.of(e.getValue())))));
        }
        return filters;
    }

    private List<ScoredChunk> search(String what, EsCall<SearchResponse<ObjectNode>> request) {
        SearchResponse<ObjectNode> response = call(what, request);
        List<ScoredChunk> out = new ArrayList<>();
        for (Hit<ObjectNode> hit : response.hits().hits()) {
            out.add(new ScoredChunk(toChunk(hit.source()), hit.score() == null ? 0 : hit.score()));
        }
        return out;
    }

    /**
     * The settings recorded in the mapping of {@code collection}'s index, or empty when it does not exist (yet).
     *
     * @throws IllegalArgumentException when the name is not a valid collection name
     */
    @Override
    public Optional<CollectionProfile> recordedSettings(String collection) {
        CollectionNames.requireValid(collection);
        ensureOpen();
        CollectionProfile known = profiles.get(collection);
        if (known != null) {
            return Optional.of(known);
        }
        String index = index(collection);
        Map<String, IndexMappingRecord> mappings = call("reading the mapping of " + index,
                () -> client.indices().getMapping(g -> g.index(index).ignoreUnavailable(true).allowNoIndices(true)))
                .result();
        IndexMappingRecord record = mappings.get(index);
        if (record == null || record.mappings().meta() == null || record.mappings().meta().isEmpty()) {
            return Optional.empty();
        }
        CollectionProfile profile = profileFrom(record.mappings().meta());
        profiles.putIfAbsent(collection, profile);
        return Optional.of(profile);
    }

    private static CollectionProfile profileFrom(Map<String, JsonData> meta) {
        Optional<String> model = Optional.ofNullable(meta.get("embeddingModelId")).map(d -> d.to(String.class));
        Optional<CollectionProfile.Chunking> chunking = Optional.ofNullable(meta.get("chunkMaxTokens"))
                .map(max -> new CollectionProfile.Chunking(max.to(Integer.class),
                        meta.get("chunkOverlapTokens").to(Integer.class)));
        return new CollectionProfile(meta.get("shards").to(Integer.class), meta.get("dimension").to(Integer.class),
                model, chunking);
    }

    /** Creates {@code collection}'s index with this writer's settings unless it exists. */
    private void ensureIndex(String collection) {
        if (recordedSettings(collection).isPresent()) {
            return;
        }
        String index = index(collection);
        int shards = shardOverrides.getOrDefault(collection, this.shards);
        ObjectNode body = json.createObjectNode();
        ObjectNode settings = body.putObject("settings").putObject("index");
        settings.put("number_of_shards", shards);
        settings.put("number_of_replicas", replicas);
        settings.putObject("similarity").putObject("default").put("type", "BM25").put("k1", 0.9).put("b", 0.4);
        ObjectNode mappings = body.putObject("mappings");
        mappings.put("dynamic", "strict");
        ObjectNode meta = mappings.putObject("_meta");
        meta.put("shards", shards);
        meta.put("dimension", dimension);
        embeddingModelId.ifPresent(id -> meta.put("embeddingModelId", id));
        chunking.ifPresent(c -> meta.put("chunkMaxTokens", c.maxTokens()).put("chunkOverlapTokens", c.overlapTokens()));
        ObjectNode properties = mappings.putObject("properties");
        for (String keyword : List.of(CHUNK_ID, COLLECTION, DOC_ID)) {
            properties.putObject(keyword).put("type", "keyword");
        }
        properties.putObject(VERSION).put("type", "long").put("index", false);
        properties.putObject(ORDINAL).put("type", "integer").put("index", false);
        properties.putObject(TITLE).put("type", "keyword").put("index", false).put("doc_values", false);
        properties.putObject(TEXT).put("type", "keyword").put("index", false).put("doc_values", false);
        properties.putObject(META).put("type", "flattened");
        properties.putObject(TERMS).put("type", "text").put("analyzer", "whitespace");
        ObjectNode vector = properties.putObject(VECTOR);
        vector.put("type", "dense_vector").put("dims", dimension).put("index", true).put("similarity", "dot_product");
        vector.putObject("index_options").put("type", "hnsw");
        try {
            // returns once every copy has started: a replica still recovering protects nothing
            CreateIndexResponse created = call("creating index " + index, () -> client.indices().create(c -> c
                    .index(index)
                    .waitForActiveShards(w -> w.option(WaitForActiveShardOptions.All))
                    .withJson(new StringReader(body.toString()))));
            if (!created.shardsAcknowledged()) {
                LOG.warn("index {} was created but not all its shard copies started in time", index);
            }
            LOG.info("created index {} for collection '{}': {} shards, {} replicas, dimension {}", index, collection,
                    shards, replicas, dimension);
        } catch (ElasticsearchException e) {
            if (!"resource_already_exists_exception".equals(e.error().type())) {
                throw e;
            }
            // another writer created it first: its settings are the collection's
        }
        if (recordedSettings(collection).isEmpty()) {
            throw new IllegalStateException("index " + index + " has no streamrag settings in its mapping: was it "
                    + "created by something else? choose another index prefix");
        }
    }

    private ObjectNode toSource(IndexedChunk indexed) {
        Chunk chunk = indexed.chunk();
        ObjectNode source = json.createObjectNode();
        source.put(CHUNK_ID, chunk.chunkId());
        source.put(COLLECTION, chunk.collection());
        source.put(DOC_ID, chunk.docId());
        source.put(VERSION, chunk.version());
        source.put(ORDINAL, chunk.ordinal());
        source.put(TITLE, chunk.title());
        source.put(TEXT, chunk.text());
        ObjectNode meta = source.putObject(META);
        new TreeMap<>(chunk.metadata()).forEach(meta::put);
        String content = chunk.title().isBlank() ? chunk.text() : chunk.title() + "\n" + chunk.text();
        source.put(TERMS, String.join(" ", KeywordQueries.tokens(analyzer, TERMS, content)));
        var vector = source.putArray(VECTOR);
        for (float x : indexed.vector()) {
            vector.add(x);
        }
        return source;
    }

    private static Chunk toChunk(ObjectNode source) {
        Map<String, String> metadata = new TreeMap<>();
        JsonNode meta = source.path(META);
        for (Iterator<Map.Entry<String, JsonNode>> it = meta.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            metadata.put(e.getKey(), e.getValue().asText());
        }
        return new Chunk(source.path(CHUNK_ID).asText(), source.path(COLLECTION).asText(),
                source.path(DOC_ID).asText(), source.path(VERSION).asLong(), source.path(ORDINAL).asInt(),
                source.path(TITLE).asText(), source.path(TEXT).asText(), metadata);
    }

    /** The chunk ids of {@code docId} that the cluster holds (the last commit). */
    private List<String> committedChunkIds(String collection, String docId) {
        if (recordedSettings(collection).isEmpty()) {
            return List.of();
        }
        SearchResponse<ObjectNode> response = call("reading the chunks of " + collection + "/" + docId,
                () -> client.search(s -> s
                        .index(index(collection))
                        .allowPartialSearchResults(false)
                        .ignoreUnavailable(true)
                        .allowNoIndices(true)
                        .query(q -> q.bool(b -> b
                                .filter(f -> f.term(t -> t.field(COLLECTION).value(FieldValue.of(collection))))
                                .filter(f -> f.term(t -> t.field(DOC_ID).value(FieldValue.of(docId))))))
                        .size(MAX_HITS)
                        .source(src -> src.filter(f -> f.includes(CHUNK_ID))), ObjectNode.class));
        return response.hits().hits().stream().map(h -> h.source().path(CHUNK_ID).asText()).sorted().toList();
    }

    private <T> T call(String what, EsCall<T> request) {
        try {
            return request.call();
        } catch (IOException e) {
            throw new UncheckedIOException(what + " on Elasticsearch " + hosts + " failed: " + e.getMessage(), e);
        }
    }

    @FunctionalInterface
    private interface EsCall<T> {
        T call() throws IOException;
    }

    private void requireWritable() {
        if (readOnly) {
            throw new UnsupportedOperationException("this Elasticsearch store was opened read-only");
        }
    }

    private static void requirePositiveK(int k) {
        if (k <= 0) {
            throw new IllegalArgumentException("k must be > 0, got " + k);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("store on Elasticsearch " + hosts + " is closed");
        }
    }

    /** Closes the client, discarding uncommitted writes. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        pending.clear();
        analyzer.close();
        try {
            restClient.close();
        } catch (IOException e) {
            throw new UncheckedIOException("closing the Elasticsearch client of " + hosts + " failed", e);
        }
    }

    @Override
    public String toString() {
        return "ElasticsearchVectorStore{" + hosts + ", prefix=" + indexPrefix + "}";
    }

    private record DocumentKey(String collection, String docId) {
    }

    /** A document written since the last commit: what the cluster holds of it and what it will hold. */
    private static final class PendingDocument {
        final List<String> committedIds;
        List<IndexedChunk> chunks;

        PendingDocument(List<String> committedIds) {
            this.committedIds = committedIds;
            this.chunks = null;
        }

        /** The ids the store holds for the document now, counting uncommitted writes. */
        List<String> currentIds() {
            return chunks == null ? committedIds : chunks.stream().map(c -> c.chunk().chunkId()).toList();
        }
    }

    /** Builds an {@link ElasticsearchVectorStore}; {@code hosts} and {@code dimension} are required. Not thread-safe. */
    public static final class Builder {
        private List<String> hosts = List.of();
        private String indexPrefix = DEFAULT_INDEX_PREFIX;
        private int shards = DEFAULT_SHARDS;
        private Map<String, Integer> shardOverrides = Map.of();
        private int replicas = DEFAULT_REPLICAS;
        private int dimension;
        private String embeddingModelId;
        private CollectionProfile.Chunking chunking;
        private boolean readOnly;

        private Builder() {
        }

        /**
         * The HTTP addresses of cluster nodes, {@code http://host:port} (required); the client spreads requests over
         * them and skips nodes that fail.
         */
        public Builder hosts(List<String> hosts) {
            Objects.requireNonNull(hosts, "hosts");
            if (hosts.isEmpty()) {
                throw new IllegalArgumentException("hosts must not be empty");
            }
            for (String host : hosts) {
                if (host == null || !host.matches("https?://[^/\\s:]+(:\\d+)?/?")) {
                    throw new IllegalArgumentException("each host must look like http://host:9200, got '" + host
                            + "'");
                }
            }
            this.hosts = List.copyOf(hosts);
            return this;
        }

        /** Prefix of every index name (default {@value #DEFAULT_INDEX_PREFIX}): lower case, as Elasticsearch wants. */
        public Builder indexPrefix(String indexPrefix) {
            if (indexPrefix == null || !indexPrefix.matches("[a-z0-9][a-z0-9_.-]{0,100}")) {
                throw new IllegalArgumentException("indexPrefix must match [a-z0-9][a-z0-9_.-]{0,100}, got '"
                        + indexPrefix + "'");
            }
            this.indexPrefix = indexPrefix;
            return this;
        }

        /** Primary shards of each index this writer creates (default {@value #DEFAULT_SHARDS}). */
        public Builder shards(int shards) {
            if (shards <= 0 || shards > 1024) {
                throw new IllegalArgumentException("shards must be in [1, 1024], got " + shards);
            }
            this.shards = shards;
            return this;
        }

        /**
         * Primary shards of particular collections' indices, overriding {@link #shards(int)} for them (default
         * none); like it, used only when an index is created.
         *
         * @throws IllegalArgumentException naming the entry, when a name is not a valid collection name or a
         *                                  count is not in [1, 1024]
         */
        public Builder shards(Map<String, Integer> overrides) {
            Objects.requireNonNull(overrides, "overrides");
            for (Map.Entry<String, Integer> e : overrides.entrySet()) {
                CollectionNames.requireValid(e.getKey());
                if (e.getValue() == null || e.getValue() <= 0 || e.getValue() > 1024) {
                    throw new IllegalArgumentException("shards of collection '" + e.getKey()
                            + "' must be in [1, 1024], got " + e.getValue());
                }
            }
            this.shardOverrides = Map.copyOf(overrides);
            return this;
        }

        /** Replicas of each shard of an index this writer creates (default {@value #DEFAULT_REPLICAS}). */
        public Builder replicas(int replicas) {
            if (replicas < 0 || replicas > 16) {
                throw new IllegalArgumentException("replicas must be in [0, 16], got " + replicas);
            }
            this.replicas = replicas;
            return this;
        }

        /** Vector dimension of collections this writer creates (required); existing collections keep theirs. */
        public Builder dimension(int dimension) {
            if (dimension <= 0 || dimension > 4096) {
                throw new IllegalArgumentException("dimension must be in [1, 4096], got " + dimension);
            }
            this.dimension = dimension;
            return this;
        }

        /** The embedding model id recorded in collections this writer creates (default none recorded). */
        public Builder embeddingModelId(String embeddingModelId) {
            Objects.requireNonNull(embeddingModelId, "embeddingModelId");
            if (embeddingModelId.isBlank()) {
                throw new IllegalArgumentException("embeddingModelId must not be blank, got '" + embeddingModelId
                        + "'");
            }
            this.embeddingModelId = embeddingModelId;
            return this;
        }

        /** The chunking recorded in collections this writer creates (default none recorded). */
        public Builder chunking(int maxTokens, int overlapTokens) {
            this.chunking = new CollectionProfile.Chunking(maxTokens, overlapTokens);
            return this;
        }

        /** Writes then throw {@link UnsupportedOperationException} (default false). */
        public Builder readOnly(boolean readOnly) {
            this.readOnly = readOnly;
            return this;
        }

        /**
         * Makes the client; connects lazily, at the first request.
         *
         * @throws IllegalStateException when a required option is missing
         */
        public ElasticsearchVectorStore build() {
            if (hosts.isEmpty()) {
                throw new IllegalStateException("hosts are required");
            }
            if (dimension == 0) {
                throw new IllegalStateException("dimension is required");
            }
            return new ElasticsearchVectorStore(this);
        }
    }
}
