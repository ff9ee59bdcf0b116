package io.streamrag.core.generate.llm;

import io.streamrag.core.chunk.Chunk;
import io.streamrag.core.generate.Answer;
import io.streamrag.core.generate.Citation;
import io.streamrag.core.generate.ContextOrder;
import io.streamrag.core.store.ScoredChunk;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds the chat prompt for a question and its context chunks, and reads the citations back out of the answer.
 *
 * <p>The system message tells the model to answer only from the numbered passages and to cite them as
 * {@code [n]}. The user message lists the distinct chunks numbered 1.. in {@link ContextOrder#canonical canonical}
 * order (not retrieval rank), each with its document id and title, and ends with the question. So the same set of
 * chunks always gets the same numbers and the same text, and contexts that share their first chunks share a prompt
 * prefix, which an LLM server's prefix cache can reuse. The question comes last for the same reason.
 *
 * <p>Immutable and thread-safe.
 */
public final class PromptBuilder {
    public static final String DEFAULT_SYSTEM_PROMPT = String.join(" ",
            "You answer questions using only the numbered context passages the user gives you.",
            "Support every statement with the number of the passage it comes from, in square brackets, such as [1]",
            "or [2][3]. Cite only passages you used.",
            "If the passages do not contain the answer, say that you do not know; never use outside knowledge.",
            "Answer concisely.");

    /** {@code [3]} or {@code [1, 4]}; at most four digits, so bracketed years are not taken for markers. */
    private static final Pattern MARKER = Pattern.compile("\\[\\s*(\\d{1,4}(?:\\s*,\\s*\\d{1,4})*)\\s*]");

    private final String systemPrompt;

    /** A builder with {@link #DEFAULT_SYSTEM_PROMPT}. */
    public PromptBuilder() {
        this(DEFAULT_SYSTEM_PROMPT);
    }

    /** @param systemPrompt the system message; it should ask for {@code [n]} citations, which are parsed back */
    public PromptBuilder(String systemPrompt) {
        Objects.requireNonNull(systemPrompt, "systemPrompt");
        if (systemPrompt.isBlank()) {
            throw new IllegalArgumentException("systemPrompt must not be blank");
        }
        this.systemPrompt = systemPrompt;
    }

    /** The prompt for {@code question} over the distinct chunks of {@code context}, numbered canonically. */
    public Prompt build(String question, List<ScoredChunk> context) {
        Objects.requireNonNull(question, "question");
        List<ScoredChunk> numbered = ContextOrder.canonical(context);
        StringBuilder user = new StringBuilder("Context passages:\n\n");
        for (int i = 0; i < numbered.size(); i++) {
            Chunk chunk = numbered.get(i).chunk();
            user.append('[').append(i + 1).append("] (document: ").append(chunk.docId());
            if (!chunk.title().isBlank()) {
                user.append("; title: ").append(oneLine(chunk.title()));
            }
            user.append(")\n").append(chunk.text().strip()).append("\n\n");
        }
        user.append("Question: ").append(question.strip()).append('\n')
                .append("Answer from the passages above only, citing them as [n].");
        return new Prompt(systemPrompt, user.toString(), numbered);
    }

    private static String oneLine(String text) {
        return text.strip().replaceAll("\\s+", " ");
    }

    /**
     * A built prompt.
     *
     * @param system the system message
     * @param user   the user message
     * @param chunks the chunks in prompt order: chunk {@code n} is {@code chunks.get(n - 1)}
     */
    public record Prompt(String system, String user, List<ScoredChunk> chunks) {
        public Prompt {
            Objects.requireNonNull(system, "system");
            Objects.requireNonNull(user, "user");
            chunks = List.copyOf(chunks);
        }

        /**
         * The chunks that {@code answerText} cites with {@code [n]} markers, once each, by number. Numbers outside
         * 1..{@code chunks().size()} are ignored: a model may invent them, and citing them would attribute text
         * to a source it does not come from.
         */
        public List<Citation> citations(String answerText) {
            Map<Integer, Citation> cited = new TreeMap<>();
            Matcher markers = MARKER.matcher(answerText);
            while (markers.find()) {
                for (String number : markers.group(1).split(",")) {
                    int n = Integer.parseInt(number.strip());
                    if (n >= 1 && n <= chunks.size()) {
                        ScoredChunk hit = chunks.get(n - 1);
                        Chunk chunk = hit.chunk();
                        cited.putIfAbsent(n, new Citation(n, chunk.docId(), chunk.chunkId(), hit.score(),
                                chunk.text()));
                    }
                }
            }
            return List.copyOf(cited.values());
        }

        /** {@code answerText} with the citations it makes; the text is kept as the model wrote it. */
        public Answer answer(String answerText) {
            return new Answer(answerText, citations(answerText));
        }
    }
}
