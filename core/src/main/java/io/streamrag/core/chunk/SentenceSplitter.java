package io.streamrag.core.chunk;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Splits a paragraph into sentences with fixed rules, so that the same text always splits the same way on any
 * JVM (chunk ids depend on it; {@link java.text.BreakIterator} may change between JDK releases). Public for the
 * rerankers that score sentences; stateless and thread-safe.
 *
 * <p>A sentence ends after {@code .}, {@code !} or {@code ?} (repeated, and followed by any closing quotes or
 * brackets) when whitespace follows and the next sentence does not start with a lower-case letter, unless the
 * word before a period is a common abbreviation ({@code e.g.}, {@code et al.}, {@code Fig.}) or a single
 * capital initial ({@code J. Smith}), or when it would leave a list number ({@code 1.}) alone. A line that
 * starts a Markdown list item also starts a sentence.
 */
public final class SentenceSplitter {
    private static final String TERMINATORS = ".!?";
    private static final String CLOSERS = "\"')]}\u2019\u201d\u00bb";
    private static final Pattern LIST_ITEM = Pattern.compile("^[ \\t]*(?:[-*+]|\\d{1,3}[.)])[ \\t].*", Pattern.DOTALL);
    /** "1." alone is the marker of a numbered list item, not a sentence. */
    private static final Pattern LIST_NUMBER = Pattern.compile("\\s*\\d{1,3}[.)]");
    private static final Set<String> ABBREVIATIONS = Set.of(
            "e.g", "i.e", "al", "cf", "vs", "viz", "approx", "ca", "fig", "figs", "eq", "eqs", "ref", "refs",
            "no", "nos", "vol", "pp", "p", "dr", "mr", "mrs", "ms", "prof", "st", "jr", "sr", "inc", "ltd", "co",
            "u.s", "u.k", "sec", "ch", "resp", "incl");

    private SentenceSplitter() {
    }

    /** The sentences of {@code text[paragraph]}: trimmed, non-blank, in order, covering all its non-blank text. */
    public static List<Span> split(String text, Span paragraph) {
        List<Span> sentences = new ArrayList<>();
        int end = paragraph.end();
        int sentenceStart = paragraph.start();
        int i = paragraph.start();
        while (i < end) {
            char c = text.charAt(i);
            if (c == '\n' && startsListItem(text, i + 1, end)) {
                add(sentences, text, sentenceStart, i);
                sentenceStart = i + 1;
                i++;
                continue;
            }
            if (TERMINATORS.indexOf(c) < 0) {
                i++;
                continue;
            }
            int after = i + 1;
            while (after < end && TERMINATORS.indexOf(text.charAt(after)) >= 0) {
                after++;
            }
            while (after < end && CLOSERS.indexOf(text.charAt(after)) >= 0) {
                after++;
            }
            if (after < end && Character.isWhitespace(text.charAt(after))) {
                int next = after;
                while (next < end && Character.isWhitespace(text.charAt(next))) {
                    next++;
                }
                boolean lowerNext = next < end && Character.isLowerCase(text.codePointAt(next));
                boolean abbreviation = c == '.' && after == i + 1 && isAbbreviation(text, sentenceStart, i);
                boolean listNumber = LIST_NUMBER.matcher(text.substring(sentenceStart, after)).matches();
                if (next < end && !lowerNext && !abbreviation && !listNumber) {
                    add(sentences, text, sentenceStart, after);
                    sentenceStart = next;
                    i = next;
                    continue;
                }
            }
            i = after;
        }
        add(sentences, text, sentenceStart, end);
        return sentences;
    }

    /** Whether the word ending just before the period at {@code dot} is an abbreviation or an initial. */
    private static boolean isAbbreviation(String text, int from, int dot) {
        int start = dot;
        while (start > from && (Character.isLetter(text.charAt(start - 1)) || text.charAt(start - 1) == '.')) {
            start--;
        }
        String word = text.substring(start, dot);
        if (word.isEmpty()) {
            return false;
        }
        if (word.length() == 1 && Character.isUpperCase(word.charAt(0))) {
            return true;
        }
        return ABBREVIATIONS.contains(word.toLowerCase(Locale.ROOT));
    }

    private static boolean startsListItem(String text, int lineStart, int end) {
        int lineEnd = text.indexOf('\n', lineStart);
        if (lineEnd < 0 || lineEnd > end) {
            lineEnd = end;
        }
        return LIST_ITEM.matcher(text.substring(lineStart, lineEnd)).matches();
    }

    private static void add(List<Span> out, String text, int start, int end) {
        Span span = Span.trimmed(text, start, end);
        if (span != null) {
            out.add(span);
        }
    }
}
