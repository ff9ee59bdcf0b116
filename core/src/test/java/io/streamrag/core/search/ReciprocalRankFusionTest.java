package io.streamrag.core.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.streamrag.core.chunk.Chunk;
import io.streamrag.core.store.ScoredChunk;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReciprocalRankFusionTest {

    static ScoredChunk hit(String id, double score) {
        return new ScoredChunk(new Chunk(id, "c", "doc-" + id, 1, 0, "", "text " + id, Map.of()), score);
    }

    static List<ScoredChunk> ranking(String... ids) {
        return Arrays.stream(ids).map(id -> hit(id, 1.0)).toList();
    }

    static List<String> ids(List<ScoredChunk> hits) {
        return hits.stream().map(h -> h.chunk().chunkId()).toList();
    }

    @Test
    void scoresAreTheSumOfReciprocalRanks() {
        List<ScoredChunk> fused = new ReciprocalRankFusion(60).fuse(List.of(ranking("a", "b"), ranking("b", "c")), 10);
        assertThat(ids(fused)).containsExactly("b", "a", "c");
        assertThat(fused.get(0).score()).isCloseTo(1.0 / 62 + 1.0 / 61, within(1e-12));
        assertThat(fused.get(1).score()).isCloseTo(1.0 / 61, within(1e-12));
        assertThat(fused.get(2).score()).isCloseTo(1.0 / 62, within(1e-12));
    }

    @Test
    void agreementBeatsOneFirstPlace() {
        // "both" is third in each list; "top" is first in one only. With small k the first place would win.
        List<List<ScoredChunk>> rankings = List.of(ranking("top", "x", "both"), ranking("y", "z", "both"));
        assertThat(ids(new ReciprocalRankFusion(60).fuse(rankings, 1))).containsExactly("both");
        assertThat(ids(new ReciprocalRankFusion(1).fuse(rankings, 1))).containsExactly("top");
    }

    @Test
    void tiesAreBrokenByBestRankThenChunkId() {
        ReciprocalRankFusion rrf = new ReciprocalRankFusion();
        // Equal scores everywhere: q and p are both first somewhere, s and r both second.
        List<ScoredChunk> fused = rrf.fuse(List.of(ranking("q", "s"), ranking("p", "r")), 10);
        assertThat(ids(fused)).containsExactly("p", "q", "r", "s");
        // The order of the input lists does not matter.
        assertThat(ids(rrf.fuse(List.of(ranking("p", "r"), ranking("q", "s")), 10))).containsExactly("p", "q", "r", "s");
    }

    @Test
    void theLimitIsRespectedAndDuplicatesInOneRankingCountOnce() {
        ReciprocalRankFusion rrf = new ReciprocalRankFusion();
        List<ScoredChunk> fused = rrf.fuse(List.of(ranking("a", "a", "b", "c", "d")), 2);
        assertThat(ids(fused)).containsExactly("a", "b");
        assertThat(fused.get(0).score()).isCloseTo(1.0 / 61, within(1e-12));
        assertThat(fused.get(1).score()).isCloseTo(1.0 / 62, within(1e-12));
    }

    @Test
    void emptyInputsFuseToNothing() {
        assertThat(new ReciprocalRankFusion().fuse(List.of(), 5)).isEmpty();
        assertThat(new ReciprocalRankFusion().fuse(List.of(List.of(), List.of()), 5)).isEmpty();
    }

    @Test
    void argumentsAreValidated() {
        assertThatThrownBy(() -> new ReciprocalRankFusion(0)).hasMessage("k must be > 0, got 0");
        assertThatThrownBy(() -> new ReciprocalRankFusion().fuse(List.of(), 0)).hasMessage("limit must be > 0, got 0");
    }
}
