package io.streamrag.core.eval;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Scores the rankings of one retrieval mode query by query against {@link Qrels} and averages them into a
 * {@link RunResult}. Queries without a relevant document are skipped (as BEIR does): they cannot be scored.
 *
 * <p>Not thread-safe: one evaluator per mode, fed from one thread.
 */
public final class RunEvaluator {
    private final String mode;
    private final Qrels qrels;
    private int queries;
    private double ndcg10;
    private double recall10;
    private double recall100;
    private double mrr10;
    private long retrievalNanos;

    public RunEvaluator(String mode, Qrels qrels) {
        this.mode = Objects.requireNonNull(mode, "mode");
        this.qrels = Objects.requireNonNull(qrels, "qrels");
    }

    /**
     * Adds one query's ranking.
     *
     * @param ranking        distinct document ids, best first (see {@link DocumentRanking})
     * @param retrievalNanos how long retrieving it took
     * @return the query's scores, or empty when the query has no relevant document and was skipped
     */
    public Optional<RetrievalMetrics.QueryScores> add(String queryId, List<String> ranking, long retrievalNanos) {
        Objects.requireNonNull(queryId, "queryId");
        Map<String, Integer> judgements = qrels.judgements(queryId);
        if (judgements.values().stream().noneMatch(grade -> grade > 0)) {
            return Optional.empty();
        }
        RetrievalMetrics.QueryScores scores = RetrievalMetrics.score(ranking, judgements);
        queries++;
        ndcg10 += scores.ndcg10();
        recall10 += scores.recall10();
        recall100 += scores.recall100();
        mrr10 += scores.reciprocalRank10();
        this.retrievalNanos += retrievalNanos;
        return Optional.of(scores);
    }

    /** The means so far; all 0 when no query was scored. */
    public RunResult result() {
        if (queries == 0) {
            return new RunResult(mode, 0, 0, 0, 0, 0, 0, Optional.empty());
        }
        return new RunResult(mode, queries, ndcg10 / queries, recall10 / queries, recall100 / queries,
                mrr10 / queries, retrievalNanos / 1e6 / queries, Optional.empty());
    }
}
