package io.streamrag.core.eval;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/** Formats {@link RunResult}s as the fixed-width table {@code streamrag eval} prints, one row per mode. */
public final class EvalTable {
    private static final String ROW = "%-15s %8s %10s %11s %8s %8s %12s%n";

    private EvalTable() {
    }

    /** The header, a rule and one row per result, each line ending in a newline. */
    public static String format(List<RunResult> results) {
        Objects.requireNonNull(results, "results");
        StringBuilder table = new StringBuilder();
        table.append(String.format(Locale.ROOT, ROW, "mode", "nDCG@10", "recall@10", "recall@100", "MRR@10",
                "queries", "mean ms"));
        table.append("-".repeat(78)).append('\n');
        for (RunResult r : results) {
            if (r.available()) {
                table.append(String.format(Locale.ROOT, ROW, r.mode(), fixed(r.ndcg10()), fixed(r.recall10()),
                        fixed(r.recall100()), fixed(r.mrr10()), r.queries(),
                        String.format(Locale.ROOT, "%.1f", r.meanRetrievalMs())));
            } else {
                table.append(String.format(Locale.ROOT, "%-15s n/a (%s)%n", r.mode(), r.unavailable().get()));
            }
        }
        return table.toString();
    }

    private static String fixed(double value) {
        return String.format(Locale.ROOT, "%.4f", value);
    }
}
