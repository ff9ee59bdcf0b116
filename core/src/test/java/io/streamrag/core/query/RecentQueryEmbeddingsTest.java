package io.streamrag.core.query;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RecentQueryEmbeddingsTest {
    @Test
    void keepsTheMostRecentlyUsedPerModel() {
        RecentQueryEmbeddings recent = new RecentQueryEmbeddings(2);
        recent.put("m", "a", new float[] {1});
        recent.put("m", "b", new float[] {2});
        assertThat(recent.get("m", "a")).isPresent();
        recent.put("m", "c", new float[] {3});
        assertThat(recent.get("m", "b")).as("least recently used goes first").isEmpty();
        assertThat(recent.get("m", "a")).hasValueSatisfying(v -> assertThat(v).containsExactly(1f));
        assertThat(recent.get("other-model", "a")).as("keys include the model").isEmpty();
        assertThat(recent.size()).isEqualTo(2);
    }

    @Test
    void vectorsAreCopiedInAndOut() {
        RecentQueryEmbeddings recent = new RecentQueryEmbeddings(4);
        float[] v = {1, 2};
        recent.put("m", "q", v);
        v[0] = 9;
        float[] out = recent.get("m", "q").orElseThrow();
        out[1] = 9;
        assertThat(recent.get("m", "q").orElseThrow()).containsExactly(1f, 2f);
    }

    @Test
    void capacityZeroKeepsNothing() {
        RecentQueryEmbeddings recent = new RecentQueryEmbeddings(0);
        recent.put("m", "q", new float[] {1});
        assertThat(recent.get("m", "q")).isEmpty();
    }
}
