package io.streamrag.core.eval;

import java.util.Objects;
import java.util.Optional;

/**
 * The mean metrics of one retrieval mode over the evaluated queries, or why the mode could not run.
 *
 * @param mode            the mode's name as the report prints it, e.g. {@code hybrid}
 * @param queries         queries averaged over (those with at least one relevant document)
 * @param ndcg10          mean nDCG@10
 * @param recall10        mean recall@10
 * @param recall100       mean recall@100
 * @param mrr10           mean reciprocal rank@10
 * @param meanRetrievalMs mean wall time of one query's retrieval (embedding the query included)
 * @param unavailable     why the mode did not run (its numbers are then 0), empty when it ran
 */
public record RunResult(String mode, int queries, double ndcg10, double recall10, double recall100, double mrr10,
                        double meanRetrievalMs, Optional<String> unavailable) {
    public RunResult {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(unavailable, "unavailable");
        if (queries < 0) {
            throw new IllegalArgumentException("queries must be >= 0, got " + queries);
        }
    }

    /** A row for a mode that could not run, e.g. {@code hybrid+rerank} without a reranker. */
    public static RunResult unavailable(String mode, String reason) {
        return new RunResult(mode, 0, 0, 0, 0, 0, 0, Optional.of(reason));
    }

    public boolean available() {
        return unavailable.isEmpty();
    }
}
