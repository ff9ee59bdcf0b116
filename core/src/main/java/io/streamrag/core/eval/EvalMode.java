package io.streamrag.core.eval;

import io.streamrag.core.search.RetrievalMode;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** A retrieval configuration that {@code streamrag eval} scores: a {@link RetrievalMode}, optionally reranked. */
public enum EvalMode {
    BM25("bm25", RetrievalMode.KEYWORD, false),
    DENSE("dense", RetrievalMode.DENSE, false),
    HYBRID("hybrid", RetrievalMode.HYBRID, false),
    HYBRID_RERANK("hybrid+rerank", RetrievalMode.HYBRID, true);

    private final String label;
    private final RetrievalMode retrievalMode;
    private final boolean reranked;

    EvalMode(String label, RetrievalMode retrievalMode, boolean reranked) {
        this.label = label;
        this.retrievalMode = retrievalMode;
        this.reranked = reranked;
    }

    /** The name users type and the report prints, e.g. {@code hybrid+rerank}. */
    public String label() {
        return label;
    }

    public RetrievalMode retrievalMode() {
        return retrievalMode;
    }

    /** Whether the retrieved chunks go through a {@link io.streamrag.core.rerank.Reranker}. */
    public boolean reranked() {
        return reranked;
    }

    /**
     * The mode with the given {@link #label()} (case-insensitive).
     *
     * @throws IllegalArgumentException naming the bad label and the valid ones
     */
    public static EvalMode fromLabel(String label) {
        String wanted = label.strip().toLowerCase(Locale.ROOT);
        for (EvalMode mode : values()) {
            if (mode.label.equals(wanted)) {
                return mode;
            }
        }
        throw new IllegalArgumentException("unknown mode '" + label + "'; valid modes: "
                + Arrays.stream(values()).map(EvalMode::label).collect(Collectors.joining(", ")));
    }
}
