package io.streamrag.query;

import io.streamrag.core.generate.Answer;
import io.streamrag.core.generate.Citation;
import io.streamrag.core.query.Query;
import io.streamrag.core.query.QueryEngine;
import io.streamrag.core.query.QueryResult;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A model-free {@link QueryEngine} for tests: answers with a digest of the question and one fake citation that
 * names the answering instance, and fails on purpose when the request asks it to.
 *
 * <p>Faults by request: the collection {@link #UNKNOWN_COLLECTION} and questions starting with
 * {@link #THROW_MARKER} throw; questions starting with {@link #ERROR_MODE_MARKER} get a result in degradation
 * mode {@code error}. Each answer takes {@code pauseMillis}, so that a run of requests lasts long enough to be
 * interrupted. Thread-safe.
 */
final class ScriptedQueryEngine implements QueryEngine {

    static final String UNKNOWN_COLLECTION = "no-such-collection";
    static final String THROW_MARKER = "[engine-throws]";
    static final String ERROR_MODE_MARKER = "[engine-error-mode]";
    /** Prefix of the citation text; the rest is the name of the instance that answered. */
    static final String ANSWERED_BY = "answered by ";

    private final String instance;
    private final long pauseMillis;

    ScriptedQueryEngine(String instance, long pauseMillis) {
        this.instance = Objects.requireNonNull(instance, "instance");
        if (pauseMillis < 0) {
            throw new IllegalArgumentException("pauseMillis must be >= 0, got " + pauseMillis);
        }
        this.pauseMillis = pauseMillis;
    }

    @Override
    public QueryResult answer(Query query) {
        pause();
        if (UNKNOWN_COLLECTION.equals(query.collection())) {
            throw new IllegalArgumentException("the collection '" + query.collection() + "' does not exist");
        }
        if (query.text().startsWith(THROW_MARKER)) {
            throw new IllegalStateException("injected engine failure");
        }
        if (query.text().startsWith(ERROR_MODE_MARKER)) {
            return new QueryResult(new Answer("No answer: injected outage", List.of()), "error", Map.of("total", 0L));
        }
        Citation citation = new Citation(1, "doc-echo", query.collection() + "/doc-echo#0@1", 1.0,
                ANSWERED_BY + instance);
        return new QueryResult(new Answer(expectedAnswer(query.text()), List.of(citation)), "normal",
                Map.of("total", pauseMillis));
    }

    /** The answer text a valid question gets: a digest of it, citing [1]. */
    static String expectedAnswer(String question) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(question.getBytes(StandardCharsets.UTF_8));
            return "echo " + HexFormat.of().formatHex(digest, 0, 8) + " [1]";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    private void pause() {
        if (pauseMillis == 0) {
            return;
        }
        try {
            Thread.sleep(pauseMillis);
        } catch (InterruptedException e) {
            // Only a shutdown interrupts a stream thread; answering anyway keeps the result deterministic.
            Thread.currentThread().interrupt();
        }
    }
}
