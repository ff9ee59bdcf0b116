package io.streamrag.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamrag.core.chunk.Chunk;
import io.streamrag.core.chunk.ChunkIds;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The conformance suite every {@link VectorStore} must pass (STYLE #7). An implementation's test extends it,
 * provides fresh storage per test through {@link #openStore()} and {@link #openReader()}, and adds only its own
 * cases. Vectors are small hand-made directions in {@value #DIMENSION} dimensions: no model is needed.
 */
public abstract class VectorStoreContract {
    protected static final int DIMENSION = 8;
    protected static final String COLLECTION = "contract";

    private final List<VectorStore> opened = new ArrayList<>();

    /**
     * Opens a writable store of dimension {@value #DIMENSION} over this test's storage: every call within one
     * test opens the same storage, and each test starts from empty storage.
     */
    protected abstract VectorStore createStore();

    /**
     * Opens a second, separate view of this test's storage that only searches (for the Lucene store: a read-only
     * instance, as another process would open it).
     */
    protected abstract VectorStore createReader();

    /** Opens a store; the suite closes it after the test. */
    protected final VectorStore openStore() {
        return track(createStore());
    }

    /** Opens a separate reader; the suite closes it after the test. */
    protected final VectorStore openReader() {
        return track(createReader());
    }

    /** Closes {@code store} after the test, like the stores {@link #openStore()} opens. */
    protected final VectorStore track(VectorStore store) {
        opened.add(store);
        return store;
    }

    @AfterEach
    void closeStores() {
        // Reverse order: readers opened after a writer go first.
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
        opened.clear();
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    /** The unit vector along axis {@code axis}. */
    protected static float[] axis(int axis) {
        float[] v = new float[DIMENSION];
        v[axis] = 1f;
        return v;
    }

    /** A unit vector mostly along {@code axis}, tilted towards {@code towards} by {@code weight}. */
    protected static float[] tilted(int axis, int towards, float weight) {
        float[] v = axis(axis);
        v[towards] += weight;
        return normalise(v);
    }

    protected static float[] normalise(float[] v) {
        double norm = Math.sqrt(IntStream.range(0, v.length).mapToDouble(i -> v[i] * v[i]).sum());
        float[] out = Arrays.copyOf(v, v.length);
        for (int i = 0; i < out.length; i++) {
            out[i] /= (float) norm;
        }
        return out;
    }

    protected static IndexedChunk chunk(String collection, String docId, long version, int ordinal, String text,
                                        float[] vector, Map<String, String> metadata) {
        return new IndexedChunk(new Chunk(ChunkIds.of(collection, docId, ordinal, version), collection, docId,
                version, ordinal, "Title of " + docId, text, metadata), vector);
    }

    protected static IndexedChunk chunk(String docId, long version, int ordinal, String text, float[] vector) {
        return chunk(COLLECTION, docId, version, ordinal, text, vector, Map.of());
    }

    /** {@code count} chunks of one document version, all with a shared word, pointing along axis 0. */
    protected static List<IndexedChunk> chunks(String collection, String docId, long version, int count) {
        return IntStream.range(0, count)
                .mapToObj(i -> chunk(collection, docId, version, i, "shared words about kafka streams part " + i,
                        tilted(0, 1 + i % (DIMENSION - 1), 0.1f * (i + 1)), Map.of()))
                .toList();
    }

    protected static List<String> ids(List<IndexedChunk> chunks) {
        return chunks.stream().map(c -> c.chunk().chunkId()).toList();
    }

    protected static List<String> hitIds(List<ScoredChunk> hits) {
        return hits.stream().map(h -> h.chunk().chunkId()).toList();
    }

    /** Every chunk id of {@code docId} the store returns, by dense and by keyword search, checked for agreement. */
    protected static Set<String> visibleChunkIds(VectorStore store, String collection, String docId) {
        SearchFilter filter = SearchFilter.collection(collection);
        Set<String> dense = store.searchDense(axis(0), 1000, filter).stream()
                .filter(h -> h.chunk().docId().equals(docId))
                .map(h -> h.chunk().chunkId()).collect(Collectors.toSet());
        Set<String> keyword = store.searchKeyword("kafka streams", 1000, filter).stream()
                .filter(h -> h.chunk().docId().equals(docId))
                .map(h -> h.chunk().chunkId()).collect(Collectors.toSet());
        assertThat(keyword).as("keyword and dense search see the same chunks").isEqualTo(dense);
        return dense;
    }

    // ---- the contract ----------------------------------------------------------------------------------------

    @Test
    void replaceGrowsAndShrinksTheChunkCount() {
        VectorStore store = openStore();
        store.replaceDocument(COLLECTION, "d1", chunks(COLLECTION, "d1", 1, 2));
        store.commit();
        assertThat(visibleChunkIds(store, COLLECTION, "d1")).hasSize(2);

        List<IndexedChunk> v2 = chunks(COLLECTION, "d1", 2, 5);
        store.replaceDocument(COLLECTION, "d1", v2);
        store.commit();
        assertThat(visibleChunkIds(store, COLLECTION, "d1")).containsExactlyInAnyOrderElementsOf(ids(v2));

        List<IndexedChunk> v3 = chunks(COLLECTION, "d1", 3, 1);
        store.replaceDocument(COLLECTION, "d1", v3);
        store.commit();
        assertThat(visibleChunkIds(store, COLLECTION, "d1")).containsExactlyInAnyOrderElementsOf(ids(v3));
    }

    @Test
    void rewritingTheSameVersionIsIdempotent() {
        VectorStore store = openStore();
        List<IndexedChunk> v1 = chunks(COLLECTION, "d1", 1, 3);
        WriteResult first = store.replaceDocument(COLLECTION, "d1", v1);
        // Redelivery before the commit and after it: neither may duplicate a chunk.
        WriteResult again = store.replaceDocument(COLLECTION, "d1", v1);
        store.commit();
        WriteResult afterCommit = store.replaceDocument(COLLECTION, "d1", v1);
        store.commit();

        assertThat(first.addedChunkIds()).containsExactlyElementsOf(ids(v1));
        assertThat(first.removedChunkIds()).isEmpty();
        assertThat(again.removedChunkIds()).isEmpty();
        assertThat(afterCommit.addedChunkIds()).containsExactlyElementsOf(ids(v1));
        assertThat(afterCommit.removedChunkIds()).isEmpty();
        List<String> denseIds = hitIds(store.searchDense(axis(0), 100, SearchFilter.collection(COLLECTION)));
        List<String> keywordIds = hitIds(store.searchKeyword("kafka", 100, SearchFilter.collection(COLLECTION)));
        assertThat(denseIds).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(ids(v1));
        assertThat(keywordIds).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(ids(v1));
    }

    @Test
    void deleteRemovesEverythingAndIsIdempotent() {
        VectorStore store = openStore();
        List<IndexedChunk> v1 = chunks(COLLECTION, "d1", 1, 3);
        List<IndexedChunk> other = chunks(COLLECTION, "d2", 1, 2);
        store.replaceDocument(COLLECTION, "d1", v1);
        store.replaceDocument(COLLECTION, "d2", other);
        store.commit();

        WriteResult deleted = store.deleteDocument(COLLECTION, "d1");
        store.commit();
        assertThat(deleted.addedChunkIds()).isEmpty();
        assertThat(deleted.removedChunkIds()).containsExactlyInAnyOrderElementsOf(ids(v1));
        assertThat(visibleChunkIds(store, COLLECTION, "d1")).isEmpty();
        assertThat(visibleChunkIds(store, COLLECTION, "d2")).containsExactlyInAnyOrderElementsOf(ids(other));

        WriteResult again = store.deleteDocument(COLLECTION, "d1");
        store.commit();
        assertThat(again.removedChunkIds()).isEmpty();
        assertThat(store.deleteDocument(COLLECTION, "never-written").removedChunkIds()).isEmpty();
        assertThat(store.deleteDocument("never-created", "d1").removedChunkIds()).isEmpty();
        assertThat(visibleChunkIds(store, COLLECTION, "d2")).hasSize(2);
    }

    @Test
    void removedChunkIdsAreExact() {
        VectorStore store = openStore();
        List<IndexedChunk> v1 = chunks(COLLECTION, "d1", 1, 3);
        store.replaceDocument(COLLECTION, "d1", v1);
        store.replaceDocument(COLLECTION, "d2", chunks(COLLECTION, "d2", 1, 2));
        store.commit();

        List<IndexedChunk> v2 = chunks(COLLECTION, "d1", 2, 2);
        WriteResult toV2 = store.replaceDocument(COLLECTION, "d1", v2);
        assertThat(toV2.addedChunkIds()).containsExactlyElementsOf(ids(v2));
        assertThat(toV2.removedChunkIds()).containsExactlyInAnyOrderElementsOf(ids(v1));

        // Not committed in between: the store must still know that v2, not v1, is what it now holds.
        List<IndexedChunk> v3 = chunks(COLLECTION, "d1", 3, 4);
        WriteResult toV3 = store.replaceDocument(COLLECTION, "d1", v3);
        assertThat(toV3.removedChunkIds()).containsExactlyInAnyOrderElementsOf(ids(v2));

        // Same ids kept across a rewrite are neither added-and-removed: they are only added.
        List<IndexedChunk> v3Shorter = v3.subList(0, 2);
        WriteResult shrink = store.replaceDocument(COLLECTION, "d1", v3Shorter);
        assertThat(shrink.addedChunkIds()).containsExactlyElementsOf(ids(v3Shorter));
        assertThat(shrink.removedChunkIds()).containsExactlyInAnyOrderElementsOf(ids(v3.subList(2, 4)));

        WriteResult delete = store.deleteDocument(COLLECTION, "d1");
        assertThat(delete.removedChunkIds()).containsExactlyInAnyOrderElementsOf(ids(v3Shorter));
        store.commit();
        assertThat(visibleChunkIds(store, COLLECTION, "d1")).isEmpty();
        assertThat(visibleChunkIds(store, COLLECTION, "d2")).hasSize(2);
    }

    @Test
    void collectionsAreWalls() {
        VectorStore store = openStore();
        // Same doc id, same words, same vectors: only the collection differs.
        List<IndexedChunk> alpha = chunks("alpha", "d1", 1, 3);
        List<IndexedChunk> beta = chunks("beta", "d1", 1, 2);
        store.replaceDocument("alpha", "d1", alpha);
        store.replaceDocument("beta", "d1", beta);
        store.commit();

        for (String collection : List.of("alpha", "beta")) {
            SearchFilter filter = SearchFilter.collection(collection);
            List<ScoredChunk> dense = store.searchDense(axis(0), 100, filter);
            List<ScoredChunk> keyword = store.searchKeyword("shared words about kafka", 100, filter);
            assertThat(dense).isNotEmpty().allSatisfy(h -> assertThat(h.chunk().collection()).isEqualTo(collection));
            assertThat(keyword).isNotEmpty()
                    .allSatisfy(h -> assertThat(h.chunk().collection()).isEqualTo(collection));
        }
        assertThat(hitIds(store.searchDense(axis(0), 100, SearchFilter.collection("alpha"))))
                .containsExactlyInAnyOrderElementsOf(ids(alpha));
        assertThat(hitIds(store.searchKeyword("kafka", 100, SearchFilter.collection("beta"))))
                .containsExactlyInAnyOrderElementsOf(ids(beta));

        WriteResult deleted = store.deleteDocument("alpha", "d1");
        store.commit();
        assertThat(deleted.removedChunkIds()).containsExactlyInAnyOrderElementsOf(ids(alpha));
        assertThat(store.searchDense(axis(0), 100, SearchFilter.collection("alpha"))).isEmpty();
        assertThat(hitIds(store.searchDense(axis(0), 100, SearchFilter.collection("beta"))))
                .containsExactlyInAnyOrderElementsOf(ids(beta));
    }

    @Test
    void metadataFiltersKeepOnlyMatchingChunks() {
        VectorStore store = openStore();
        store.replaceDocument(COLLECTION, "en-guide", List.of(chunk(COLLECTION, "en-guide", 1, 0,
                "kafka streams guide", axis(0), Map.of("lang", "en", "kind", "guide"))));
        store.replaceDocument(COLLECTION, "en-faq", List.of(chunk(COLLECTION, "en-faq", 1, 0,
                "kafka streams faq", tilted(0, 1, 0.2f), Map.of("lang", "en", "kind", "faq"))));
        store.replaceDocument(COLLECTION, "de-guide", List.of(chunk(COLLECTION, "de-guide", 1, 0,
                "kafka streams anleitung", tilted(0, 2, 0.1f), Map.of("lang", "de", "kind", "guide"))));
        store.commit();

        SearchFilter english = new SearchFilter(COLLECTION, Map.of("lang", "en"));
        SearchFilter germanGuide = new SearchFilter(COLLECTION, Map.of("lang", "de", "kind", "guide"));
        SearchFilter absent = new SearchFilter(COLLECTION, Map.of("lang", "fr"));

        assertThat(docIds(store.searchDense(axis(0), 10, english))).containsExactlyInAnyOrder("en-guide", "en-faq");
        assertThat(docIds(store.searchKeyword("kafka", 10, english))).containsExactlyInAnyOrder("en-guide", "en-faq");
        assertThat(docIds(store.searchDense(axis(0), 10, germanGuide))).containsExactly("de-guide");
        assertThat(docIds(store.searchKeyword("kafka", 10, germanGuide))).containsExactly("de-guide");
        assertThat(store.searchDense(axis(0), 10, absent)).isEmpty();
        assertThat(store.searchKeyword("kafka", 10, absent)).isEmpty();
        assertThat(store.searchDense(axis(0), 10, english))
                .allSatisfy(h -> assertThat(h.chunk().metadata()).containsEntry("lang", "en"));
    }

    @Test
    void searchesRespectKAndRankBestFirst() {
        VectorStore store = openStore();
        // d0 points exactly at the query, each next document a little further away.
        for (int i = 0; i < 6; i++) {
            String docId = "d" + i;
            String text = "kafka ".repeat(6 - i) + "filler ".repeat(i) + "end";
            store.replaceDocument(COLLECTION, docId, List.of(chunk(docId, 1, 0, text, tilted(0, 1, 0.3f * i))));
        }
        store.commit();

        List<ScoredChunk> dense = store.searchDense(axis(0), 3, SearchFilter.collection(COLLECTION));
        assertThat(docIds(dense)).containsExactly("d0", "d1", "d2");
        assertThat(dense).extracting(ScoredChunk::score).isSortedAccordingTo((a, b) -> Double.compare(b, a));

        List<ScoredChunk> keyword = store.searchKeyword("kafka", 4, SearchFilter.collection(COLLECTION));
        assertThat(keyword).hasSize(4);
        assertThat(keyword.get(0).chunk().docId()).isEqualTo("d0");
        assertThat(keyword).extracting(ScoredChunk::score).isSortedAccordingTo((a, b) -> Double.compare(b, a));

        assertThat(store.searchDense(axis(0), 100, SearchFilter.collection(COLLECTION))).hasSize(6);
        assertThatThrownBy(() -> store.searchDense(axis(0), 0, SearchFilter.collection(COLLECTION)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0");
    }

    @Test
    void uncommittedWritesAreInvisibleToASeparateReaderUntilCommit() {
        VectorStore store = openStore();
        List<IndexedChunk> v1 = chunks(COLLECTION, "d1", 1, 2);
        store.replaceDocument(COLLECTION, "d1", v1);
        VectorStore reader = openReader();
        assertThat(reader.searchDense(axis(0), 10, SearchFilter.collection(COLLECTION))).isEmpty();
        assertThat(reader.searchKeyword("kafka", 10, SearchFilter.collection(COLLECTION))).isEmpty();

        store.commit();
        assertThat(visibleChunkIds(reader, COLLECTION, "d1")).containsExactlyInAnyOrderElementsOf(ids(v1));

        List<IndexedChunk> v2 = chunks(COLLECTION, "d1", 2, 3);
        store.replaceDocument(COLLECTION, "d1", v2);
        store.replaceDocument(COLLECTION, "d9", chunks(COLLECTION, "d9", 1, 1));
        assertThat(visibleChunkIds(reader, COLLECTION, "d1")).containsExactlyInAnyOrderElementsOf(ids(v1));
        assertThat(visibleChunkIds(reader, COLLECTION, "d9")).isEmpty();

        store.commit();
        assertThat(visibleChunkIds(reader, COLLECTION, "d1")).containsExactlyInAnyOrderElementsOf(ids(v2));
        assertThat(visibleChunkIds(reader, COLLECTION, "d9")).hasSize(1);

        store.deleteDocument(COLLECTION, "d1");
        assertThat(visibleChunkIds(reader, COLLECTION, "d1")).hasSize(3);
        store.commit();
        assertThat(visibleChunkIds(reader, COLLECTION, "d1")).isEmpty();
    }

    @Test
    void aCollectionThatDoesNotExistYieldsNoResults() {
        VectorStore store = openStore();
        assertThat(store.searchDense(axis(0), 5, SearchFilter.collection("nothing-here"))).isEmpty();
        assertThat(store.searchKeyword("kafka", 5, SearchFilter.collection("nothing-here"))).isEmpty();
        assertThat(openReader().searchKeyword("kafka", 5, SearchFilter.collection("nothing-here"))).isEmpty();
    }

    @Test
    void commitEpochsIncreaseWithEveryCommitThatChangedSomething() {
        VectorStore store = openStore();
        store.replaceDocument(COLLECTION, "d1", chunks(COLLECTION, "d1", 1, 1));
        long first = store.commit();
        store.replaceDocument(COLLECTION, "d1", chunks(COLLECTION, "d1", 2, 1));
        long second = store.commit();
        store.deleteDocument(COLLECTION, "d1");
        long third = store.commit();
        assertThat(second).isGreaterThan(first);
        assertThat(third).isGreaterThan(second);
        assertThat(store.commit()).as("nothing changed").isGreaterThanOrEqualTo(third);
    }

    @Test
    void searchesReturnTheStoredChunk() {
        VectorStore store = openStore();
        IndexedChunk written = chunk(COLLECTION, "d1", 7, 3, "the exact stored text", axis(2),
                Map.of("source", "manual"));
        store.replaceDocument(COLLECTION, "d1", List.of(written));
        store.commit();
        List<ScoredChunk> hits = store.searchDense(axis(2), 1, SearchFilter.collection(COLLECTION));
        assertThat(hits).singleElement().satisfies(h -> assertThat(h.chunk()).isEqualTo(written.chunk()));
    }

    private static List<String> docIds(List<ScoredChunk> hits) {
        return hits.stream().map(h -> h.chunk().docId()).toList();
    }
}
