package io.streamrag.query.internal;

import io.streamrag.schemas.DeadLetter;
import io.streamrag.schemas.QueryResponse;
import java.util.Objects;

/**
 * What the answering step emits for one request: a response for rag.responses, a dead letter for the query DLQ,
 * or (for a request that could not be answered) one of each. The topology routes on the type.
 */
public sealed interface QueryOutcome {

    /** The response to send, keyed by its requestId. */
    record Reply(QueryResponse response) implements QueryOutcome {
        public Reply {
            Objects.requireNonNull(response, "response");
        }
    }

    /** A request that could not be answered, with its original bytes and where it came from. */
    record DeadLettered(DeadLetter deadLetter) implements QueryOutcome {
        public DeadLettered {
            Objects.requireNonNull(deadLetter, "deadLetter");
        }
    }
}
