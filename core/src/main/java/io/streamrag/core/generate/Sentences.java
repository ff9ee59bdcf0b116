package io.streamrag.core.generate;

import java.text.BreakIterator;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Splits text into sentences: first at line breaks (list items and paragraphs end there even without a full
 * stop), then with the JDK's sentence {@link BreakIterator}. Markdown line markers are stripped, and Markdown
 * headings are left out: they name a topic but state nothing, so an answer quoting one reads badly.
 */
final class Sentences {
    private static final Pattern LINE_BREAKS = Pattern.compile("\\R+");
    private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s.*");
    private static final Pattern LINE_MARKER = Pattern.compile("^(#{1,6}\\s+|[-*+>]\\s+|\\d{1,3}[.)]\\s+)");
    /** Longer sentences (run-on text, tables, code) are cut at a word boundary so an answer stays readable. */
    static final int MAX_CHARS = 400;

    private Sentences() {
    }

    static List<String> split(String text) {
        List<String> sentences = new ArrayList<>();
        // BreakIterator is stateful: one per call keeps this thread-safe.
        BreakIterator breaks = BreakIterator.getSentenceInstance(Locale.ROOT);
        for (String line : LINE_BREAKS.split(text)) {
            if (HEADING.matcher(line.strip()).matches()) {
                continue;
            }
            String stripped = LINE_MARKER.matcher(line.strip()).replaceFirst("").strip();
            if (stripped.isEmpty()) {
                continue;
            }
            breaks.setText(stripped);
            int start = breaks.first();
            for (int end = breaks.next(); end != BreakIterator.DONE; start = end, end = breaks.next()) {
                String sentence = stripped.substring(start, end).strip();
                if (!sentence.isEmpty()) {
                    sentences.add(truncate(sentence));
                }
            }
        }
        return sentences;
    }

    private static String truncate(String sentence) {
        if (sentence.length() <= MAX_CHARS) {
            return sentence;
        }
        int cut = sentence.lastIndexOf(' ', MAX_CHARS);
        return sentence.substring(0, cut > MAX_CHARS / 2 ? cut : MAX_CHARS).strip() + "…";
    }
}
