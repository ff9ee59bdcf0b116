package io.streamrag.core.store;

import static io.streamrag.core.store.VectorStoreContract.DIMENSION;
import static io.streamrag.core.store.VectorStoreContract.chunks;
import static io.streamrag.core.store.VectorStoreContract.visibleChunkIds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Several writers over one directory, each owning a share of the shards ({@link ShardOwnership}). */
class LuceneShardStoreSharedDirectoryTest {
    private static final String COLLECTION = "shared";

    @TempDir
    Path dataDir;

    private LuceneShardStore writer(int writer, int writers, int shards) {
        return LuceneShardStore.builder().dataDir(dataDir).dimension(DIMENSION).shardsPerCollection(shards)
                .ownership(new ShardOwnership(writer, writers)).build();
    }

    private LuceneShardStore reader() {
        return LuceneShardStore.builder().dataDir(dataDir).dimension(DIMENSION).readOnly(true).build();
    }

    /** The writer of {@code writers} that owns {@code docId} of {@code collection} with {@code shards} shards. */
    private static int ownerOf(String collection, String docId, int shards, int writers) {
        return ShardOwnership.writerOf(collection, new ShardRouter(shards).shardFor(docId), writers);
    }

    @Test
    void eachWriterWritesItsOwnShardsAndEverySearchSeesAllOfThem() {
        try (LuceneShardStore first = writer(0, 2, 4); LuceneShardStore second = writer(1, 2, 4);
             LuceneShardStore reader = reader()) {
            List<LuceneShardStore> writers = List.of(first, second);
            int[] written = new int[2];
            for (int i = 0; i < 20; i++) {
                String docId = "doc-" + i;
                int owner = ownerOf(COLLECTION, docId, 4, 2);
                writers.get(owner).replaceDocument(COLLECTION, docId, chunks(COLLECTION, docId, 1, 2));
                written[owner]++;
            }
            assertThat(written).as("documents per writer").doesNotContain(0);
            first.commit();
            // the second writer's documents are not committed: nobody sees them yet
            for (int i = 0; i < 20; i++) {
                String docId = "doc-" + i;
                boolean committed = ownerOf(COLLECTION, docId, 4, 2) == 0;
                for (VectorStore store : List.of(first, second, reader)) {
                    assertThat(visibleChunkIds(store, COLLECTION, docId)).as("%s in %s", docId, store)
                            .hasSize(committed ? 2 : 0);
                }
            }
            second.commit();
            for (int i = 0; i < 20; i++) {
                for (VectorStore store : List.of(first, second, reader)) {
                    assertThat(visibleChunkIds(store, COLLECTION, "doc-" + i)).hasSize(2);
                }
            }
            // a delete by the owner is seen by the other writer too
            String last = "doc-19";
            writers.get(ownerOf(COLLECTION, last, 4, 2)).deleteDocument(COLLECTION, last);
            writers.get(ownerOf(COLLECTION, last, 4, 2)).commit();
            assertThat(visibleChunkIds(writers.get(1 - ownerOf(COLLECTION, last, 4, 2)), COLLECTION, last)).isEmpty();
        }
    }

    @Test
    void aDocumentOfAnotherWritersShardIsRefusedNamingItsOwner() {
        try (LuceneShardStore first = writer(0, 2, 2); LuceneShardStore second = writer(1, 2, 2)) {
            String foreign = "doc-0";
            for (int i = 0; ownerOf(COLLECTION, foreign, 2, 2) == 0; i++) {
                foreign = "doc-" + i;
            }
            String docId = foreign;
            assertThatThrownBy(() -> first.replaceDocument(COLLECTION, docId, chunks(COLLECTION, docId, 1, 1)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("belongs to writer 1 of 2")
                    .hasMessageContaining("not to this writer 0 of 2");
            second.replaceDocument(COLLECTION, docId, chunks(COLLECTION, docId, 1, 1));
            second.commit();
            assertThatThrownBy(() -> first.deleteDocument(COLLECTION, docId))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("belongs to writer 1 of 2");
        }
    }

    @Test
    void writersThatCreateOneCollectionAtTheSameTimeRecordItOnceWithAllShardsReadable() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 10; round++) {
                String collection = "race-" + round;
                // the two writers are configured with different shard counts: whichever creates the collection
                // first decides, and both must agree on the decision
                try (LuceneShardStore first = writer(0, 2, 2); LuceneShardStore second = writer(1, 2, 3)) {
                    CyclicBarrier start = new CyclicBarrier(2);
                    List<Future<Integer>> recorded = new ArrayList<>();
                    for (LuceneShardStore store : List.of(first, second)) {
                        recorded.add(pool.submit(() -> {
                            start.await(10, TimeUnit.SECONDS);
                            return openAndCount(store, collection);
                        }));
                    }
                    int shardsOfFirst = recorded.get(0).get(30, TimeUnit.SECONDS);
                    int shardsOfSecond = recorded.get(1).get(30, TimeUnit.SECONDS);
                    assertThat(shardsOfFirst).as("round %d", round).isEqualTo(shardsOfSecond).isIn(2, 3);
                    try (LuceneShardStore reader = reader()) {
                        assertThat(reader.recordedSettings(collection).orElseThrow().shards()).isEqualTo(shardsOfFirst);
                        // every shard has a commit (a missing one throws): a reader can search the new collection
                        assertThat(reader.searchDense(VectorStoreContract.axis(0), 10,
                                SearchFilter.collection(collection))).isEmpty();
                    }
                    // each writer can write its own documents of the collection
                    for (int i = 0; i < 6; i++) {
                        String docId = "d" + i;
                        LuceneShardStore owner = ownerOf(collection, docId, shardsOfFirst, 2) == 0 ? first : second;
                        owner.replaceDocument(collection, docId, chunks(collection, docId, 1, 1));
                    }
                    first.commit();
                    second.commit();
                    try (LuceneShardStore reader = reader()) {
                        for (int i = 0; i < 6; i++) {
                            assertThat(visibleChunkIds(reader, collection, "d" + i)).hasSize(1);
                        }
                    }
                }
            }
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    /**
     * Opens {@code collection} in {@code store}, creating it if nobody has, by writing and deleting a probe
     * document; returns the recorded shard count.
     */
    private static int openAndCount(LuceneShardStore store, String collection) {
        // a replace opens the collection (creating it when new); only its owner may write the probe, so pick a
        // probe id this writer owns under whatever shard count the collection gets
        for (int i = 0; ; i++) {
            String probe = "probe-" + i;
            try {
                store.replaceDocument(collection, probe, chunks(collection, probe, 1, 1));
                store.deleteDocument(collection, probe);
                return store.recordedSettings(collection).orElseThrow().shards();
            } catch (IllegalStateException notOwned) {
                if (!notOwned.getMessage().contains("belongs to writer")) {
                    throw notOwned;
                }
                // the collection is open now; try the next probe id
            }
        }
    }

    @Test
    void aWriterThatTakesOverShardsAnnouncesHigherEpochsThanTheirPreviousOwner() {
        long before;
        try (LuceneShardStore first = writer(0, 2, 2); LuceneShardStore second = writer(1, 2, 2)) {
            for (int i = 0; i < 4; i++) {
                String docId = "doc-" + i;
                (ownerOf(COLLECTION, docId, 2, 2) == 0 ? first : second)
                        .replaceDocument(COLLECTION, docId, chunks(COLLECTION, docId, 1, 1));
            }
            first.commit();
            second.commit();
            (ownerOf(COLLECTION, "late", 2, 2) == 0 ? first : second)
                    .replaceDocument(COLLECTION, "late", chunks(COLLECTION, "late", 1, 1));
            before = Math.max(first.commit(), second.commit());
        }
        try (LuceneShardStore single = LuceneShardStore.builder().dataDir(dataDir).dimension(DIMENSION).build()) {
            single.replaceDocument(COLLECTION, "doc-0", chunks(COLLECTION, "doc-0", 2, 1));
            assertThat(single.commit()).isGreaterThan(before);
        }
    }

    @Test
    void writersOfDifferentSharesTakeDifferentLocksAndASecondWriterOfOneShareIsRefused() {
        try (LuceneShardStore first = writer(0, 2, 2)) {
            assertThatThrownBy(() -> writer(0, 2, 2))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("_writer-0-of-2.lock");
            writer(1, 2, 2).close();
        }
    }

    @Test
    void ownershipAppliesToWritersOnly() {
        assertThatThrownBy(() -> LuceneShardStore.builder().dataDir(dataDir).dimension(DIMENSION).readOnly(true)
                .ownership(new ShardOwnership(1, 2)).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("writers only");
    }
}
