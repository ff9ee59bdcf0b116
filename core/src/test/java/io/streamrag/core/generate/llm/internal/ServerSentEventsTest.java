package io.streamrag.core.generate.llm.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServerSentEventsTest {
    private static List<String> events(String... lines) {
        ServerSentEvents parser = new ServerSentEvents();
        List<String> events = new ArrayList<>();
        for (String line : lines) {
            String event = parser.line(line);
            if (event != null) {
                events.add(event);
            }
        }
        return events;
    }

    @Test
    void aBlankLineDispatchesTheData() {
        assertThat(events("data: {\"a\":1}", "", "data: [DONE]", "")).containsExactly("{\"a\":1}", "[DONE]");
    }

    @Test
    void ignoresCommentsOtherFieldsAndEmptyEvents() {
        assertThat(events("\uFEFF: keep-alive", "", "event: message", "id: 7", "retry: 100", "data:x", "", "", ""))
                .containsExactly("x");
    }

    @Test
    void joinsMultiLineDataAndKeepsExtraSpaces() {
        assertThat(events("data: one", "data:  two", "data", "")).containsExactly("one\n two\n");
    }

    @Test
    void dropsDataNotFollowedByABlankLine() {
        assertThat(events("data: complete", "", "data: {\"cut")).containsExactly("complete");
    }
}
