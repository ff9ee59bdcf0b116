package io.streamrag.core.chunk.internal;

import io.streamrag.core.chunk.Span;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Finds the coarse structure of a text: sections that start at Markdown headings, and paragraphs separated by
 * blank lines. Plain text without headings is one section. Not public API; stateless and thread-safe.
 *
 * <p>Only ATX headings ({@code # Title} to {@code ###### Title}, up to three leading spaces) count; setext
 * underlines are ambiguous with thematic breaks and are treated as text. Lines inside fenced code blocks
 * ({@code ```} or {@code ~~~}) are never headings, since {@code # comment} is common in code.
 */
public final class MarkdownBlocks {
    private static final Pattern HEADING = Pattern.compile("^ {0,3}#{1,6}(?:[ \\t].*)?$");
    private static final Pattern FENCE = Pattern.compile("^ {0,3}(?:```|~~~).*$");

    private MarkdownBlocks() {
    }

    /**
     * Splits {@code text} into sections, each starting at a heading (except a leading section of text before
     * the first heading). A heading directly followed by another heading stays in the same section, so that
     * {@code # Chapter} and {@code ## Part} head one section together instead of making a chunk of their own.
     * Returned spans are trimmed, non-blank and in order.
     */
    public static List<Span> sections(String text) {
        List<Span> sections = new ArrayList<>();
        int sectionStart = 0;
        boolean sectionHasBody = false;
        boolean inFence = false;
        for (Span line : lines(text)) {
            String content = line.of(text);
            if (FENCE.matcher(content).matches()) {
                inFence = !inFence;
            }
            boolean heading = !inFence && HEADING.matcher(content).matches();
            if (heading) {
                if (sectionHasBody) {
                    addTrimmed(sections, text, sectionStart, line.start());
                    sectionStart = line.start();
                    sectionHasBody = false;
                }
            } else if (!content.isBlank()) {
                sectionHasBody = true;
            }
        }
        addTrimmed(sections, text, sectionStart, text.length());
        return sections;
    }

    /**
     * Splits a section into paragraphs: runs of non-blank lines; a heading line is a paragraph of its own.
     * Returned spans are trimmed, non-blank and in order.
     */
    public static List<Span> paragraphs(String text, Span section) {
        List<Span> paragraphs = new ArrayList<>();
        int start = -1;
        int end = -1;
        boolean inFence = false;
        for (Span line : lines(text, section.start(), section.end())) {
            String content = line.of(text);
            if (FENCE.matcher(content).matches()) {
                inFence = !inFence;
            }
            if (content.isBlank()) {
                if (start >= 0) {
                    addTrimmed(paragraphs, text, start, end);
                    start = -1;
                }
            } else if (!inFence && HEADING.matcher(content).matches()) {
                if (start >= 0) {
                    addTrimmed(paragraphs, text, start, end);
                    start = -1;
                }
                addTrimmed(paragraphs, text, line.start(), line.end());
            } else {
                if (start < 0) {
                    start = line.start();
                }
                end = line.end();
            }
        }
        if (start >= 0) {
            addTrimmed(paragraphs, text, start, end);
        }
        return paragraphs;
    }

    private static List<Span> lines(String text) {
        return lines(text, 0, text.length());
    }

    /** Lines of {@code text[from, to)} without their terminators ({@code \n}, {@code \r\n} or {@code \r}). */
    private static List<Span> lines(String text, int from, int to) {
        List<Span> lines = new ArrayList<>();
        int start = from;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c == '\n' || c == '\r') {
                lines.add(new Span(start, i));
                if (c == '\r' && i + 1 < to && text.charAt(i + 1) == '\n') {
                    i++;
                }
                start = i + 1;
            }
        }
        lines.add(new Span(start, to));
        return lines;
    }

    private static void addTrimmed(List<Span> out, String text, int start, int end) {
        Span span = Span.trimmed(text, start, end);
        if (span != null) {
            out.add(span);
        }
    }
}
