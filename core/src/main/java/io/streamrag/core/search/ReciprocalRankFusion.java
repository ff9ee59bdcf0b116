package io.streamrag.core.search;

import io.streamrag.core.chunk.Chunk;
import io.streamrag.core.store.ScoredChunk;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Reciprocal rank fusion (Cormack, Clarke and Büttcher, 2009): a chunk's fused score is
 * {@code sum over rankings of 1 / (k + rank)}, rank counted from 1, chunks identified by chunk id. Only ranks
 * matter, so retrievers whose scores live on different scales (cosine, BM25) fuse without calibration.
 *
 * <p>Ties are broken deterministically: higher fused score, then the better (smaller) best rank in any ranking,
 * then chunk id. Immutable and thread-safe.
 */
public final class ReciprocalRankFusion {
    public static final int DEFAULT_K = 60;

    private final int k;

    /** Fusion with {@code k = }{@value #DEFAULT_K}, the value from the paper. */
    public ReciprocalRankFusion() {
        this(DEFAULT_K);
    }

    /** @param k the rank offset, > 0: larger values flatten the advantage of the very first ranks */
    public ReciprocalRankFusion(int k) {
        if (k <= 0) {
            throw new IllegalArgumentException("k must be > 0, got " + k);
        }
        this.k = k;
    }

    public int k() {
        return k;
    }

    /**
     * Fuses rankings (each best first) into one, best first, at most {@code limit} long. A chunk that appears
     * twice in one ranking counts only at its first (best) rank. Returned scores are the fused scores; the chunk
     * object is the first one seen for its id.
     */
    public List<ScoredChunk> fuse(List<List<ScoredChunk>> rankings, int limit) {
        Objects.requireNonNull(rankings, "rankings");
        if (limit <= 0) {
            throw new IllegalArgumentException("limit must be > 0, got " + limit);
        }
        Map<String, Fused> byId = new LinkedHashMap<>();
        for (List<ScoredChunk> ranking : rankings) {
            Set<String> seenInRanking = new HashSet<>();
            int rank = 0;
            for (ScoredChunk hit : ranking) {
                String id = hit.chunk().chunkId();
                if (!seenInRanking.add(id)) {
                    continue;
                }
                rank++;
                Fused fused = byId.computeIfAbsent(id, unused -> new Fused(hit.chunk()));
                fused.score += 1.0 / (k + rank);
                fused.bestRank = Math.min(fused.bestRank, rank);
            }
        }
        List<Fused> ordered = new ArrayList<>(byId.values());
        ordered.sort(Comparator.comparingDouble((Fused f) -> f.score).reversed()
                .thenComparingInt(f -> f.bestRank)
                .thenComparing(f -> f.chunk.chunkId()));
        return ordered.stream().limit(limit).map(f -> new ScoredChunk(f.chunk, f.score)).toList();
    }

    /** Accumulator for one chunk; confined to one {@link #fuse} call. */
    private static final class Fused {
        final Chunk chunk;
        double score;
        int bestRank = Integer.MAX_VALUE;

        Fused(Chunk chunk) {
            this.chunk = chunk;
        }
    }
}
