package io.streamrag.core.generate;

import java.util.List;

/**
 * A generated answer. The text refers to citations as {@code [n]} where n is {@link Citation#number()}.
 */
public record Answer(String text, List<Citation> citations) {
    public Answer {
        citations = List.copyOf(citations);
    }
}
