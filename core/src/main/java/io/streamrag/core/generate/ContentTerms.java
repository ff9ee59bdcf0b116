package io.streamrag.core.generate;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.tartarus.snowball.ext.EnglishStemmer;

/**
 * Extracts the content terms of a text for overlap scoring: lower-cased words, stop words and question words
 * removed, stemmed (Snowball English) so that "indexing" matches "indexed". Not thread-safe (the stemmer keeps
 * state): create one per use.
 */
final class ContentTerms {
    private static final Pattern NON_WORD = Pattern.compile("[^\\p{L}\\p{N}]+");
    /** English stop words plus the words questions are made of, which say nothing about the answer. */
    private static final Set<String> STOP_WORDS = Set.of(
            "a", "about", "above", "after", "again", "all", "also", "am", "an", "and", "any", "are", "as", "at",
            "be", "because", "been", "before", "being", "between", "both", "but", "by", "can", "could", "did",
            "do", "does", "doing", "done", "during", "each", "either", "else", "ever", "every", "few", "for",
            "from", "further", "get", "gets", "got", "had", "has", "have", "having", "he", "her", "here", "hers",
            "him", "his", "how", "i", "if", "in", "into", "is", "it", "its", "itself", "just", "let", "may", "me",
            "might", "more", "most", "much", "must", "my", "no", "nor", "not", "now", "of", "off", "on", "once",
            "one", "only", "or", "other", "our", "ours", "out", "over", "own", "please", "same", "shall", "she",
            "should", "so", "some", "such", "tell", "than", "that", "the", "their", "them", "then", "there",
            "these", "they", "this", "those", "through", "to", "too", "under", "until", "up", "us", "use", "used",
            "very", "was", "we", "were", "what", "whats", "when", "where", "whether", "which", "while", "who",
            "whom", "whose", "why", "will", "with", "within", "without", "would", "you", "your", "yours",
            "explain", "describe", "mean", "means");

    private final EnglishStemmer stemmer = new EnglishStemmer();

    /** The distinct content terms of {@code text}, in order of first appearance. */
    Set<String> of(String text) {
        Set<String> terms = new LinkedHashSet<>();
        for (String word : NON_WORD.split(text.toLowerCase(Locale.ROOT))) {
            if (word.length() < 2 || STOP_WORDS.contains(word)) {
                continue;
            }
            terms.add(stem(word));
        }
        return terms;
    }

    private String stem(String word) {
        stemmer.setCurrent(word);
        stemmer.stem();
        return stemmer.getCurrent();
    }
}
