package io.streamrag.core.generate;

import io.streamrag.core.chunk.Chunk;
import io.streamrag.core.store.ScoredChunk;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * A {@link Generator} without a model: answers with the best sentences of the retrieved chunks. It is the offline
 * default and the fallback when the LLM is unavailable.
 *
 * <p>Each sentence of the context scores the summed weights of the question's content terms it contains (stop
 * words out, stemmed; rarer terms across the context's sentences weigh more) plus a small bonus for sentences of
 * higher-ranked chunks. The best sentence is kept, and up to {@code maxSentences - 1} more that score at least
 * 60% as well; they are printed in document order, each run of sentences from one chunk followed by its
 * {@code [n]} marker. Citations are numbered 1.. in {@link ContextOrder#canonical canonical} context order, so the
 * same context always yields the same numbers; only cited chunks are listed, with their numbers.
 *
 * <p>When no sentence shares a term with the question, the answer is the first sentence of the top-ranked chunk,
 * cited; with no context it is {@value #NO_ANSWER} without citations. Immutable and thread-safe.
 */
public final class ExtractiveGenerator implements Generator {
    public static final String NO_ANSWER = "No indexed document answers this question.";
    public static final int DEFAULT_MAX_SENTENCES = 3;
    /** Bonus of the top-ranked chunk's sentences; below the smallest term weight (ln 2), so it only breaks ties. */
    private static final double RANK_BONUS = 0.1;
    /**
     * Extra sentences must score at least this fraction of the best one, or they add noise rather than answer.
     * Above one half, so that for a two-term question a sentence with only one of the terms does not qualify.
     */
    private static final double MIN_RELATIVE_SCORE = 0.6;

    private final int maxSentences;

    /** A generator answering with at most {@value #DEFAULT_MAX_SENTENCES} sentences. */
    public ExtractiveGenerator() {
        this(DEFAULT_MAX_SENTENCES);
    }

    /** @param maxSentences the most sentences an answer quotes, > 0 */
    public ExtractiveGenerator(int maxSentences) {
        if (maxSentences <= 0) {
            throw new IllegalArgumentException("maxSentences must be > 0, got " + maxSentences);
        }
        this.maxSentences = maxSentences;
    }

    public int maxSentences() {
        return maxSentences;
    }

    @Override
    public Answer generate(String question, List<ScoredChunk> context) {
        Objects.requireNonNull(question, "question");
        List<ScoredChunk> ranked = ContextOrder.distinct(context);
        Map<String, Integer> numbers = new HashMap<>();
        for (ScoredChunk c : ContextOrder.canonical(ranked)) {
            numbers.put(c.chunk().chunkId(), numbers.size() + 1);
        }

        ContentTerms terms = new ContentTerms();
        Set<String> questionTerms = terms.of(question);
        List<Candidate> candidates = new ArrayList<>();
        for (int rank = 0; rank < ranked.size(); rank++) {
            ScoredChunk hit = ranked.get(rank);
            List<String> sentences = Sentences.split(hit.chunk().text());
            for (int position = 0; position < sentences.size(); position++) {
                String sentence = sentences.get(position);
                Set<String> shared = new HashSet<>(terms.of(sentence));
                shared.retainAll(questionTerms);
                candidates.add(new Candidate(hit, numbers.get(hit.chunk().chunkId()), rank, position, sentence,
                        shared));
            }
        }
        if (candidates.isEmpty()) {
            return new Answer(NO_ANSWER, List.of());
        }

        List<Candidate> chosen = choose(candidates);
        if (chosen.isEmpty()) {
            // Nothing shares a term with the question: the best the retriever found, honestly cited.
            chosen = List.of(candidates.stream()
                    .min(Comparator.comparingInt(Candidate::rank).thenComparingInt(Candidate::position))
                    .orElseThrow());
        }
        return render(chosen);
    }

    /** The best sentences by term overlap, in reading order; empty when none shares a term with the question. */
    private List<Candidate> choose(List<Candidate> candidates) {
        Map<String, Integer> sentencesWithTerm = new HashMap<>();
        for (Candidate c : candidates) {
            c.shared().forEach(t -> sentencesWithTerm.merge(t, 1, Integer::sum));
        }
        record Scored(Candidate candidate, double termScore, double total) {
        }
        int n = candidates.size();
        List<Scored> scored = new ArrayList<>();
        for (Candidate c : candidates) {
            // An IDF over the context's sentences: a term every sentence has barely tells them apart.
            double termScore = c.shared().stream()
                    .mapToDouble(t -> Math.log(1.0 + (double) n / sentencesWithTerm.get(t)))
                    .sum();
            if (termScore > 0) {
                scored.add(new Scored(c, termScore, termScore + RANK_BONUS / (c.rank() + 1)));
            }
        }
        if (scored.isEmpty()) {
            return List.of();
        }
        scored.sort(Comparator.comparingDouble(Scored::total).reversed()
                .thenComparingInt(s -> s.candidate().rank())
                .thenComparingInt(s -> s.candidate().position()));
        double threshold = MIN_RELATIVE_SCORE * scored.get(0).termScore();
        List<Candidate> chosen = new ArrayList<>();
        Set<String> seenText = new HashSet<>();
        for (Scored s : scored) {
            if (chosen.size() == maxSentences) {
                break;
            }
            // Overlapping chunks repeat sentences; quote each once.
            if (s.termScore() >= threshold && seenText.add(normalise(s.candidate().sentence()))) {
                chosen.add(s.candidate());
            }
        }
        chosen.sort(Comparator.comparingInt(Candidate::number).thenComparingInt(Candidate::position));
        return chosen;
    }

    private static Answer render(List<Candidate> chosen) {
        StringBuilder text = new StringBuilder();
        Map<Integer, Citation> citations = new TreeMap<>();
        for (int i = 0; i < chosen.size(); i++) {
            Candidate c = chosen.get(i);
            if (text.length() > 0) {
                text.append(' ');
            }
            text.append(c.sentence());
            boolean runEnds = i + 1 == chosen.size() || chosen.get(i + 1).number() != c.number();
            if (runEnds) {
                text.append(" [").append(c.number()).append(']');
            }
            Chunk chunk = c.hit().chunk();
            citations.putIfAbsent(c.number(),
                    new Citation(c.number(), chunk.docId(), chunk.chunkId(), c.hit().score(), chunk.text()));
        }
        return new Answer(text.toString(), List.copyOf(citations.values()));
    }

    private static String normalise(String sentence) {
        return sentence.toLowerCase(Locale.ROOT).replaceAll("\\s+", " ");
    }

    /**
     * One sentence of the context.
     *
     * @param number   the citation number of its chunk
     * @param rank     its chunk's retrieval rank, from 0
     * @param position its index among its chunk's sentences
     * @param shared   the question's content terms it contains
     */
    private record Candidate(ScoredChunk hit, int number, int rank, int position, String sentence,
                             Set<String> shared) {
    }

    @Override
    public String toString() {
        return "extractive answers (no LLM)";
    }
}
