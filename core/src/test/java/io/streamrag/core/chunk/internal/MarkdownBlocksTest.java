package io.streamrag.core.chunk.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamrag.core.chunk.Span;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class MarkdownBlocksTest {

    private static List<String> texts(String text, List<Span> spans) {
        return spans.stream().map(s -> s.of(text)).collect(Collectors.toList());
    }

    @Test
    void plainTextIsOneSection() {
        String text = "\n  Just text.\n\nMore text.  \n";
        assertThat(texts(text, MarkdownBlocks.sections(text))).containsExactly("Just text.\n\nMore text.");
    }

    @Test
    void headingsStartSectionsButOnlyAfterBodyText() {
        String text = "Intro.\n# A\ntext a\n## A.1\n### A.1.a\ntext a1\n#hashtag is text\n####### seven is text";
        assertThat(texts(text, MarkdownBlocks.sections(text))).containsExactly(
                "Intro.",
                "# A\ntext a",
                "## A.1\n### A.1.a\ntext a1\n#hashtag is text\n####### seven is text");
    }

    @Test
    void headingsInsideCodeFencesDoNotCount() {
        String text = "# Real\nbody\n~~~\n# comment\n~~~\n# Next\nmore";
        assertThat(texts(text, MarkdownBlocks.sections(text)))
                .containsExactly("# Real\nbody\n~~~\n# comment\n~~~", "# Next\nmore");
    }

    @Test
    void paragraphsSplitAtBlankLinesAndHeadingLines() {
        String text = "# Title\nline one\nline two\n\n   \r\nnext para\r\n## Sub\nafter";
        Span section = new Span(0, text.length());
        assertThat(texts(text, MarkdownBlocks.paragraphs(text, section)))
                .containsExactly("# Title", "line one\nline two", "next para", "## Sub", "after");
    }
}
