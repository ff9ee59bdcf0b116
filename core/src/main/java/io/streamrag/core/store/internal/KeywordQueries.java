package io.streamrag.core.store.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermQuery;

/**
 * Builds BM25 queries from arbitrary user text without a query parser: the text goes through the same analyzer
 * as the indexed content and every distinct term becomes an optional {@link TermQuery}. Nothing in the text is
 * syntax, so {@code ?}, quotes, {@code AND}, {@code :} or unbalanced brackets can never make a query fail.
 * Thread-safe (Lucene analyzers are). Internal: not part of the public API.
 */
public final class KeywordQueries {
    /** Well below Lucene's default clause limit (1024), leaving room for the filter clauses. */
    static final int MAX_TERMS = 256;

    private KeywordQueries() {
    }

    /**
     * The disjunction of the analysed terms of {@code text} over {@code field}, or empty when the text has no
     * searchable term (blank, punctuation only, stop words only).
     */
    public static Optional<Query> disjunction(Analyzer analyzer, String field, String text) {
        Set<String> terms = analyze(analyzer, field, text);
        if (terms.isEmpty()) {
            return Optional.empty();
        }
        BooleanQuery.Builder builder = new BooleanQuery.Builder();
        for (String term : terms) {
            builder.add(new TermQuery(new Term(field, term)), BooleanClause.Occur.SHOULD);
        }
        return Optional.of(builder.build());
    }

    /**
     * The distinct analysed terms of {@code text} over {@code field}, in order of first appearance, at most
     * {@value #MAX_TERMS}: what a keyword query searches for.
     */
    public static Set<String> analyze(Analyzer analyzer, String field, String text) {
        Set<String> terms = new LinkedHashSet<>();
        for (String token : tokens(analyzer, field, text)) {
            if (terms.size() >= MAX_TERMS) {
                break;
            }
            terms.add(token);
        }
        return terms;
    }

    /** Every analysed token of {@code text} over {@code field}, repeats included: what the index holds for it. */
    public static List<String> tokens(Analyzer analyzer, String field, String text) {
        List<String> tokens = new ArrayList<>();
        try (TokenStream stream = analyzer.tokenStream(field, text)) {
            CharTermAttribute term = stream.addAttribute(CharTermAttribute.class);
            stream.reset();
            while (stream.incrementToken()) {
                tokens.add(term.toString());
            }
            stream.end();
        } catch (IOException e) {
            // Analysing an in-memory string does no I/O; this would be an analyzer bug.
            throw new UncheckedIOException("could not analyse query text", e);
        }
        return tokens;
    }
}
