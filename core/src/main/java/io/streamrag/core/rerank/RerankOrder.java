package io.streamrag.core.rerank;

import io.streamrag.core.store.ScoredChunk;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Turns per-candidate scores into a reranked list. Stateless and thread-safe. */
final class RerankOrder {
    private RerankOrder() {
    }

    /**
     * The best {@code topK} candidates by {@code scores[i]} (higher first), each with its new score; equal scores
     * keep the candidates' order, so a reranker that cannot tell two chunks apart leaves retrieval to decide.
     */
    static List<ScoredChunk> best(List<ScoredChunk> candidates, double[] scores, int topK) {
        if (scores.length != candidates.size()) {
            throw new IllegalArgumentException(scores.length + " scores for " + candidates.size() + " candidates");
        }
        List<Integer> order = new ArrayList<>(candidates.size());
        for (int i = 0; i < candidates.size(); i++) {
            order.add(i);
        }
        order.sort(Comparator.comparingDouble((Integer i) -> scores[i]).reversed().thenComparingInt(i -> i));
        List<ScoredChunk> out = new ArrayList<>(Math.min(topK, order.size()));
        for (int i : order.subList(0, Math.min(topK, order.size()))) {
            out.add(new ScoredChunk(candidates.get(i).chunk(), scores[i]));
        }
        return List.copyOf(out);
    }
}
