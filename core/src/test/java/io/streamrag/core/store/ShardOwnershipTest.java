package io.streamrag.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ShardOwnershipTest {

    @Test
    void everyShardHasExactlyOneOwner() {
        for (String collection : List.of("a", "docs", "scifact", "ünïcödé")) {
            for (int writers = 1; writers <= 5; writers++) {
                for (int shard = 0; shard < 12; shard++) {
                    int s = shard;
                    int w = writers;
                    long owners = IntStream.range(0, writers)
                            .filter(i -> new ShardOwnership(i, w).owns(collection, s)).count();
                    assertThat(owners).as("owners of %s shard %d among %d writers", collection, s, w).isOne();
                    assertThat(ShardOwnership.writerOf(collection, s, w)).isBetween(0, w - 1);
                }
            }
        }
    }

    @Test
    void theShardsOfOneCollectionGoRoundRobinOverTheWriters() {
        // two shards, two writers: both writers get one, whatever the collection
        for (String collection : List.of("a", "b", "docs", "scifact", "it", "other")) {
            Set<Integer> writers = new HashSet<>();
            for (int shard = 0; shard < 2; shard++) {
                writers.add(ShardOwnership.writerOf(collection, shard, 2));
            }
            assertThat(writers).as("writers of %s", collection).containsExactlyInAnyOrder(0, 1);
        }
        // six shards, three writers: two each
        List<Integer> counts = new ArrayList<>(List.of(0, 0, 0));
        for (int shard = 0; shard < 6; shard++) {
            int w = ShardOwnership.writerOf("docs", shard, 3);
            counts.set(w, counts.get(w) + 1);
        }
        assertThat(counts).containsExactly(2, 2, 2);
    }

    @Test
    void collectionsStartAtDifferentWriters() {
        Set<Integer> firstWriters = new HashSet<>();
        IntStream.range(0, 20).forEach(i -> firstWriters.add(ShardOwnership.writerOf("c" + i, 0, 4)));
        assertThat(firstWriters).hasSizeGreaterThan(1);
    }

    @Test
    void theSingleWriterOwnsEverything() {
        ShardOwnership all = ShardOwnership.all();
        assertThat(all.ownsAll()).isTrue();
        assertThat(IntStream.range(0, 8).allMatch(s -> all.owns("x", s))).isTrue();
        assertThat(new ShardOwnership(1, 2).ownsAll()).isFalse();
        assertThat(new ShardOwnership(1, 2)).hasToString("writer 1 of 2");
    }

    @Test
    void badArgumentsAreRejectedNamingTheValue() {
        assertThatThrownBy(() -> new ShardOwnership(0, 0)).hasMessageContaining("writers must be > 0, got 0");
        assertThatThrownBy(() -> new ShardOwnership(2, 2)).hasMessageContaining("writer must be in [0, 2), got 2");
        assertThatThrownBy(() -> new ShardOwnership(-1, 2)).hasMessageContaining("got -1");
        assertThatThrownBy(() -> ShardOwnership.writerOf("x", -1, 2)).hasMessageContaining("shard must be >= 0");
        assertThatThrownBy(() -> ShardOwnership.writerOf("x", 0, 0)).hasMessageContaining("writers must be > 0");
    }
}
