package io.streamrag.core.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Values computed by hand with the trec_eval definitions (linear gain, log2(rank + 1) discount). */
class RetrievalMetricsTest {
    private static final double EPS = 1e-9;

    @Test
    void ndcgOfOneRelevantAtRankTwoOfTwoRelevant() {
        // DCG = 1/log2(3) = 0.63093; IDCG = 1 + 1/log2(3) = 1.63093
        double ndcg = RetrievalMetrics.ndcg(List.of("d1", "d2", "d3"), Map.of("d2", 1, "d4", 1), 10);

        assertThat(ndcg).isCloseTo(0.38685280723454163, within(EPS));
    }

    @Test
    void ndcgUsesTheGradeAsGainAndIdealOrderOfAllJudgedDocuments() {
        // DCG = 1 + 2/log2(3) + 0 = 2.26186; ideal [2, 2, 1]: 2 + 2/log2(3) + 1/2 = 3.76186
        double ndcg = RetrievalMetrics.ndcg(List.of("a", "b", "c"), Map.of("a", 1, "b", 2, "c", 0, "d", 2), 10);

        assertThat(ndcg).isCloseTo(0.6012610260559063, within(EPS));
    }

    @Test
    void aPerfectRankingScoresOneAndARelevantDocumentBelowTheCutOffScoresZero() {
        Map<String, Integer> judgements = Map.of("r1", 2, "r2", 1);

        assertThat(RetrievalMetrics.ndcg(List.of("r1", "r2", "x"), judgements, 10)).isCloseTo(1.0, within(EPS));
        assertThat(RetrievalMetrics.ndcg(ranking(10, "r1"), judgements, 10)).isZero();
        assertThat(RetrievalMetrics.ndcg(List.of("x"), Map.of("x", 0), 10)).isZero();
    }

    @Test
    void recallCountsRelevantDocumentsWithinTheCutOff() {
        Map<String, Integer> judgements = Map.of("r1", 1, "r2", 1, "r3", 1, "r4", 1, "n", 0);
        List<String> ranking = new ArrayList<>(List.of("x1", "n", "r2"));
        ranking.addAll(ranking(8, "r4"));  // r4 at rank 12

        assertThat(RetrievalMetrics.recall(ranking, judgements, 10)).isCloseTo(0.25, within(EPS));
        assertThat(RetrievalMetrics.recall(ranking, judgements, 100)).isCloseTo(0.5, within(EPS));
        assertThat(RetrievalMetrics.recall(ranking, Map.of(), 100)).isZero();
    }

    @Test
    void reciprocalRankIsOneOverTheRankOfTheFirstRelevantDocumentWithinTheCutOff() {
        Map<String, Integer> judgements = Map.of("r", 1, "s", 1);

        assertThat(RetrievalMetrics.reciprocalRank(List.of("x", "y", "r", "s"), judgements, 10))
                .isCloseTo(1.0 / 3, within(EPS));
        assertThat(RetrievalMetrics.reciprocalRank(List.of("r"), judgements, 10)).isEqualTo(1.0);
        assertThat(RetrievalMetrics.reciprocalRank(ranking(10, "r"), judgements, 10)).isZero();
    }

    @Test
    void aRepeatedDocumentCountsOnceAtItsFirstRank() {
        Map<String, Integer> judgements = Map.of("r", 1);
        List<String> ranking = List.of("x", "x", "r");

        assertThat(RetrievalMetrics.reciprocalRank(ranking, judgements, 10)).isEqualTo(0.5);
        assertThat(RetrievalMetrics.recall(ranking, judgements, 2)).isEqualTo(1.0);
        assertThat(RetrievalMetrics.ndcg(ranking, judgements, 10)).isCloseTo(1 / (Math.log(3) / Math.log(2)),
                within(EPS));
    }

    @Test
    void scoreReportsTheFourMetricsOfTheReport() {
        RetrievalMetrics.QueryScores scores = RetrievalMetrics.score(List.of("x", "r"), Map.of("r", 1, "s", 1));

        assertThat(scores.ndcg10()).isCloseTo(0.38685280723454163, within(EPS));
        assertThat(scores.recall10()).isEqualTo(0.5);
        assertThat(scores.recall100()).isEqualTo(0.5);
        assertThat(scores.reciprocalRank10()).isEqualTo(0.5);
    }

    @Test
    void rejectsANonPositiveCutOff() {
        assertThatThrownBy(() -> RetrievalMetrics.ndcg(List.of(), Map.of(), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("k must be > 0, got 0");
    }

    /** {@code misses} irrelevant ids, then {@code last}. */
    private static List<String> ranking(int misses, String last) {
        List<String> ranking = new ArrayList<>();
        for (int i = 0; i < misses; i++) {
            ranking.add("miss-" + i);
        }
        ranking.add(last);
        return ranking;
    }
}
