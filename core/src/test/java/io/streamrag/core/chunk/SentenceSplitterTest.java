package io.streamrag.core.chunk;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SentenceSplitterTest {

    private static List<String> split(String text) {
        return SentenceSplitter.split(text, new Span(0, text.length())).stream()
                .map(s -> s.of(text)).collect(Collectors.toList());
    }

    @Test
    void splitsAfterTerminatorsFollowedBySpaceAndANewSentence() {
        assertThat(split("First one. Second one! Third one? Fourth"))
                .containsExactly("First one.", "Second one!", "Third one?", "Fourth");
    }

    @Test
    void keepsClosingQuotesAndBracketsWithTheirSentence() {
        assertThat(split("He said \"stop.\" Then he left (quickly.) Done."))
                .containsExactly("He said \"stop.\"", "Then he left (quickly.)", "Done.");
    }

    @Test
    void doesNotSplitAbbreviationsInitialsDecimalsOrBeforeLowerCase() {
        assertThat(split("Mice, e.g. C57BL/6, were used (Smith et al. 2010). J. Smith measured 3.5 mg vs. 2.1 mg."
                + " It rose approx. twofold. See Fig. 2 for details."))
                .containsExactly(
                        "Mice, e.g. C57BL/6, were used (Smith et al. 2010).",
                        "J. Smith measured 3.5 mg vs. 2.1 mg.",
                        "It rose approx. twofold.",
                        "See Fig. 2 for details.");
    }

    @Test
    void splitsAfterNumbersAndRepeatedTerminators() {
        assertThat(split("The p-value was 0.05. Results varied... Really?! Yes."))
                .containsExactly("The p-value was 0.05.", "Results varied...", "Really?!", "Yes.");
    }

    @Test
    void aListItemLineStartsASentence() {
        assertThat(split("Steps:\n- mix the buffer\n- add 5 ml\n1. Heat it\nno list here"))
                .containsExactly("Steps:", "- mix the buffer", "- add 5 ml", "1. Heat it\nno list here");
    }

    @Test
    void spansStayInsideTheParagraph() {
        String text = "xx A b. C d. yy";
        List<Span> spans = SentenceSplitter.split(text, new Span(3, 12));
        assertThat(spans).extracting(s -> s.of(text)).containsExactly("A b.", "C d.");
    }
}
