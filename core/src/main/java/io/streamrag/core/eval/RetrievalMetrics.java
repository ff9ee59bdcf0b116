package io.streamrag.core.eval;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Per-query ranking metrics with the trec_eval definitions, over a ranking of distinct document ids (best
 * first) and one query's judgements (document id → grade; absent or 0 = not relevant).
 *
 * <ul>
 *   <li>nDCG@k: DCG = sum over ranks i = 1..k of grade(doc at i) / log2(i + 1) (linear gain = the grade, as in
 *       trec_eval's {@code ndcg_cut} and BEIR), divided by the DCG of the ideal ranking of all judged documents
 *       sorted by grade; 0 when the query has no relevant document.</li>
 *   <li>recall@k: relevant documents in the top k / relevant documents.</li>
 *   <li>reciprocal rank@k: 1 / rank of the first relevant document within the top k, else 0 (MRR@k is its
 *       mean).</li>
 * </ul>
 * A document id repeated in the ranking counts once, at its first rank. Stateless; thread-safe.
 */
public final class RetrievalMetrics {
    private RetrievalMetrics() {
    }

    /** Normalised discounted cumulative gain of the top {@code k}. */
    public static double ndcg(List<String> ranking, Map<String, Integer> judgements, int k) {
        List<String> top = topDistinct(ranking, judgements, k);
        double dcg = 0;
        for (int i = 0; i < top.size(); i++) {
            dcg += judgements.getOrDefault(top.get(i), 0) / log2(i + 2);
        }
        int[] ideal = judgements.values().stream().filter(g -> g > 0).mapToInt(Integer::intValue)
                .sorted().toArray();
        double idcg = 0;
        for (int i = 0; i < Math.min(k, ideal.length); i++) {
            idcg += ideal[ideal.length - 1 - i] / log2(i + 2);
        }
        return idcg == 0 ? 0 : dcg / idcg;
    }

    /** Fraction of the relevant documents found in the top {@code k}; 0 when the query has none. */
    public static double recall(List<String> ranking, Map<String, Integer> judgements, int k) {
        List<String> top = topDistinct(ranking, judgements, k);
        long relevant = judgements.values().stream().filter(g -> g > 0).count();
        if (relevant == 0) {
            return 0;
        }
        long found = top.stream().filter(doc -> judgements.getOrDefault(doc, 0) > 0).count();
        return (double) found / relevant;
    }

    /** 1 / rank of the first relevant document within the top {@code k}, or 0 when there is none. */
    public static double reciprocalRank(List<String> ranking, Map<String, Integer> judgements, int k) {
        List<String> top = topDistinct(ranking, judgements, k);
        for (int i = 0; i < top.size(); i++) {
            if (judgements.getOrDefault(top.get(i), 0) > 0) {
                return 1.0 / (i + 1);
            }
        }
        return 0;
    }

    /** The four metrics {@code streamrag eval} reports for one query. */
    public static QueryScores score(List<String> ranking, Map<String, Integer> judgements) {
        return new QueryScores(ndcg(ranking, judgements, 10), recall(ranking, judgements, 10),
                recall(ranking, judgements, 100), reciprocalRank(ranking, judgements, 10));
    }

    /** The first {@code k} distinct documents of {@code ranking}: a repeated id counts once, at its first rank. */
    private static List<String> topDistinct(List<String> ranking, Map<String, Integer> judgements, int k) {
        Objects.requireNonNull(ranking, "ranking");
        Objects.requireNonNull(judgements, "judgements");
        if (k <= 0) {
            throw new IllegalArgumentException("k must be > 0, got " + k);
        }
        return ranking.stream().distinct().limit(k).toList();
    }

    private static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }

    /** nDCG@10, recall@10, recall@100 and reciprocal rank@10 of one query. */
    public record QueryScores(double ndcg10, double recall10, double recall100, double reciprocalRank10) {
    }
}
