package io.streamrag.query.internal;

import io.streamrag.core.CollectionNames;
import io.streamrag.schemas.QueryRequest;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Decides whether a decoded request can be handed to the engine. Thread-safe if the clock is.
 */
public final class RequestValidator {

    private final int maxQuestionChars;
    private final Clock clock;

    /**
     * @param maxQuestionChars the longest question accepted, in UTF-16 chars; must be &gt; 0
     * @param clock            judges deadlines
     */
    public RequestValidator(int maxQuestionChars, Clock clock) {
        if (maxQuestionChars <= 0) {
            throw new IllegalArgumentException("maxQuestionChars must be > 0, got " + maxQuestionChars);
        }
        this.maxQuestionChars = maxQuestionChars;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * @return why the request must not be answered, or empty if it may be: a missing or invalid collection name ({@link CollectionNames}), a
     *         blank or too long question, or a deadline at or before now
     */
    public Optional<String> rejectionReason(QueryRequest request) {
        Optional<String> badCollection = CollectionNames.problem(request.getCollection());
        if (badCollection.isPresent()) {
            return badCollection;
        }
        String text = request.getText();
        if (text == null || text.isBlank()) {
            return Optional.of("the question is empty");
        }
        if (text.length() > maxQuestionChars) {
            return Optional.of("the question has " + text.length() + " characters, more than the limit of "
                    + maxQuestionChars);
        }
        Instant deadline = request.getDeadline();
        if (deadline != null) {
            Instant now = clock.instant();
            if (!now.isBefore(deadline)) {
                return Optional.of("the deadline " + deadline + " had passed when the request was read at " + now);
            }
        }
        return Optional.empty();
    }
}
