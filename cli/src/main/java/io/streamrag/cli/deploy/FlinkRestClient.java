package io.streamrag.cli.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * A client of the few Flink REST endpoints a deployment needs: jar upload and run, job overview and details,
 * stop-with-savepoint, checkpoint statistics and the restart count. Speaks the REST API of Flink 2.x session
 * clusters ({@code flink-runtime-web} must be on the JobManager's classpath for the {@code /jars} endpoints).
 *
 * <p>Every failure is a {@link FlinkRestException} that says whether a retry can help. Stateless apart from the
 * shared {@link HttpClient}; thread-safe.
 */
public final class FlinkRestClient {
    /** How long the JobManager's metric cache takes to answer after a first request (its fetch is asynchronous). */
    static final Duration METRICS_SETTLE = Duration.ofMillis(1500);

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Uploading a large jar and running a job's {@code main} in the JobManager take longer than other calls. */
    private static final Duration SLOW_CALL = Duration.ofMinutes(5);
    /** What Flink wraps an exception thrown by a job's {@code main} in. */
    private static final String PROGRAM_INVOCATION_EXCEPTION = "org.apache.flink.client.program.ProgramInvocationException";

    private final URI base;
    private final Duration timeout;
    private final HttpClient http;

    /**
     * @param baseUrl the JobManager's REST endpoint, e.g. {@code http://localhost:8081}
     * @param timeout the limit of each ordinary call (uploads and job submission get at least 5 minutes)
     * @throws IllegalArgumentException when {@code baseUrl} is not an http(s) URL with a host
     */
    public FlinkRestClient(String baseUrl, Duration timeout) {
        this.base = parseBaseUrl(baseUrl);
        if (timeout == null || timeout.isZero() || timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must be > 0, got " + timeout);
        }
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    static URI parseBaseUrl(String baseUrl) {
        Objects.requireNonNull(baseUrl, "baseUrl");
        try {
            URI uri = new URI(baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl);
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                throw new IllegalArgumentException("--flink must be an http(s) URL such as http://localhost:8081,"
                        + " got '" + baseUrl + "'");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("--flink must be an http(s) URL such as http://localhost:8081, got '"
                    + baseUrl + "'", e);
        }
    }

    public URI baseUrl() {
        return base;
    }

    /**
     * Uploads a job jar ({@code POST /jars/upload}, multipart field {@code jarfile}).
     *
     * @return the jar id that {@link #runJar} takes
     */
    public String uploadJar(Path jar) {
        if (!Files.isRegularFile(jar) || !jar.getFileName().toString().endsWith(".jar")) {
            throw new IllegalArgumentException("the job jar must be an existing .jar file, got " + jar);
        }
        String boundary = "streamrag-" + UUID.randomUUID();
        String head = "--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"jarfile\"; filename=\"" + jar.getFileName() + "\"\r\n"
                + "Content-Type: application/x-java-archive\r\n\r\n";
        String tail = "\r\n--" + boundary + "--\r\n";
        HttpRequest.BodyPublisher body;
        try {
            body = HttpRequest.BodyPublishers.concat(
                    HttpRequest.BodyPublishers.ofString(head, StandardCharsets.UTF_8),
                    HttpRequest.BodyPublishers.ofFile(jar),
                    HttpRequest.BodyPublishers.ofString(tail, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the job jar " + jar + ": " + e.getMessage(), e);
        }
        HttpRequest request = request("/jars/upload", SLOW_CALL)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(body).build();
        JsonNode answer = send(request, "upload " + jar.getFileName());
        String filename = answer.path("filename").asText("");
        if (!"success".equals(answer.path("status").asText()) || filename.isEmpty()) {
            throw new FlinkRestException("Flink did not accept the jar upload: " + answer, 200);
        }
        // Flink answers with the stored file's path; its file name is the jar id
        return Path.of(filename).getFileName().toString();
    }

    /**
     * Runs an uploaded jar ({@code POST /jars/:jarid/run}); Flink runs its {@code main} in the JobManager.
     *
     * @return the job id
     */
    public String runJar(String jarId, JarRun run) {
        ObjectNode body = JSON.createObjectNode();
        body.put("entryClass", run.entryClass());
        body.set("programArgsList", JSON.valueToTree(run.programArgs()));
        run.parallelism().ifPresent(p -> body.put("parallelism", p));
        run.savepointPath().ifPresent(p -> body.put("savepointPath", p));
        body.put("allowNonRestoredState", false);
        HttpRequest request = request("/jars/" + jarId + "/run", SLOW_CALL)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        String jobId = send(request, "run jar " + jarId).path("jobid").asText("");
        if (jobId.isEmpty()) {
            throw new FlinkRestException("Flink ran jar " + jarId + " but returned no job id", 200);
        }
        return jobId;
    }

    /** Every job the cluster knows, running or finished ({@code GET /jobs/overview}). */
    public List<JobOverview> jobs() {
        JsonNode answer = send(request("/jobs/overview", timeout).GET().build(), "list jobs");
        List<JobOverview> jobs = new ArrayList<>();
        for (JsonNode job : answer.path("jobs")) {
            jobs.add(new JobOverview(job.path("jid").asText(), job.path("name").asText(), job.path("state").asText(),
                    job.path("start-time").asLong(-1)));
        }
        return jobs;
    }

    /** The state of one job ({@code GET /jobs/:jobid}), e.g. {@code RUNNING}, {@code FINISHED}. */
    public String jobState(String jobId) {
        return send(request("/jobs/" + jobId, timeout).GET().build(), "get job " + jobId).path("state").asText();
    }

    /** Checkpoint counts and the latest completed checkpoint ({@code GET /jobs/:jobid/checkpoints}). */
    public CheckpointStats checkpoints(String jobId) {
        JsonNode answer = send(request("/jobs/" + jobId + "/checkpoints", timeout).GET().build(),
                "get checkpoints of " + jobId);
        JsonNode counts = answer.path("counts");
        JsonNode latest = answer.path("latest").path("completed");
        JsonNode restored = answer.path("latest").path("restored");
        return new CheckpointStats(counts.path("completed").asLong(), counts.path("failed").asLong(),
                counts.path("in_progress").asLong(), counts.path("restored").asLong(),
                latest.isObject() ? Optional.of(latest.path("id").asLong()) : Optional.empty(),
                latest.isObject() ? Optional.of(latest.path("external_path").asText()) : Optional.empty(),
                restored.isObject() ? Optional.of(restored.path("external_path").asText()) : Optional.empty());
    }

    /**
     * The job's restart count (its {@code numRestarts} metric), empty when the job does not report it. The REST
     * endpoint serves metrics from a cache that the first request only starts to fill, so an empty answer is asked
     * once more after {@link #METRICS_SETTLE}.
     */
    public Optional<Long> restarts(String jobId) throws InterruptedException {
        Optional<Long> restarts = restartsOnce(jobId);
        if (restarts.isEmpty()) {
            Thread.sleep(METRICS_SETTLE.toMillis());
            restarts = restartsOnce(jobId);
        }
        return restarts;
    }

    /**
     * The failures the JobManager recorded for the job ({@code GET /jobs/:jobid/exceptions}, its exception history:
     * one entry per failure that made the job restart, the newest first, at most {@code web.exception-history-size}).
     */
    public List<String> failures(String jobId) {
        JsonNode answer = send(request("/jobs/" + jobId + "/exceptions", timeout).GET().build(),
                "get the failures of " + jobId);
        List<String> failures = new ArrayList<>();
        for (JsonNode entry : answer.path("exceptionHistory").path("entries")) {
            failures.add(entry.path("exceptionName").asText("?"));
        }
        return failures;
    }

    private Optional<Long> restartsOnce(String jobId) {
        JsonNode answer = send(request("/jobs/" + jobId + "/metrics?get=numRestarts", timeout).GET().build(),
                "get the restarts of " + jobId);
        for (JsonNode metric : answer) {
            if ("numRestarts".equals(metric.path("id").asText())) {
                return Optional.of(Long.parseLong(metric.path("value").asText()));
            }
        }
        return Optional.empty();
    }

    /**
     * Stops a job with a savepoint in {@code targetDirectory} ({@code POST /jobs/:jobid/stop}, {@code drain=false}:
     * no end-of-input, the job resumes from it) and waits for it.
     *
     * @return the savepoint's path
     * @throws FlinkRestException when Flink refuses or reports the savepoint failed (the job then keeps running),
     *                            or it does not complete within {@code wait}
     */
    public String stopWithSavepoint(String jobId, String targetDirectory, Duration wait) throws InterruptedException {
        ObjectNode body = JSON.createObjectNode();
        body.put("targetDirectory", targetDirectory);
        body.put("drain", false);
        HttpRequest trigger = request("/jobs/" + jobId + "/stop", timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        String triggerId = send(trigger, "stop job " + jobId + " with a savepoint").path("request-id").asText("");
        if (triggerId.isEmpty()) {
            throw new FlinkRestException("Flink accepted the stop of job " + jobId + " but returned no trigger id", 200);
        }
        Instant deadline = Instant.now().plus(wait);
        while (true) {
            JsonNode answer = send(request("/jobs/" + jobId + "/savepoints/" + triggerId, timeout).GET().build(),
                    "poll the savepoint of " + jobId);
            if ("COMPLETED".equals(answer.path("status").path("id").asText())) {
                JsonNode operation = answer.path("operation");
                if (operation.hasNonNull("location")) {
                    return operation.path("location").asText();
                }
                throw new FlinkRestException("the savepoint of job " + jobId + " failed: "
                        + firstLine(operation.path("failure-cause").path("stack-trace").asText(operation.toString()))
                        + " (the job keeps running; check that " + targetDirectory + " is writable by the cluster)",
                        200);
            }
            if (Instant.now().isAfter(deadline)) {
                throw new FlinkRestException("the savepoint of job " + jobId + " did not complete within " + wait
                        + " (trigger " + triggerId + "); check the job's checkpoints in the Flink UI", 0);
            }
            Thread.sleep(500);
        }
    }

    private HttpRequest.Builder request(String path, Duration callTimeout) {
        return HttpRequest.newBuilder(URI.create(base + path)).timeout(callTimeout);
    }

    private JsonNode send(HttpRequest request, String what) {
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new FlinkRestException("cannot reach Flink at " + base + " to " + what
                    + " (is the JobManager running, and is --flink its REST address?)", 0, e);
        } catch (HttpTimeoutException e) {
            throw new FlinkRestException("Flink at " + base + " did not answer in time to " + what, 0, e);
        } catch (IOException e) {
            throw new FlinkRestException("talking to Flink at " + base + " to " + what + " failed: " + e, 0, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FlinkRestException("interrupted while waiting for Flink to " + what, 0, e);
        }
        JsonNode body;
        try {
            body = response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body());
        } catch (IOException e) {
            throw new FlinkRestException("Flink at " + base + " answered " + response.statusCode() + " to " + what
                    + " with something that is not JSON; is --flink the REST address?", response.statusCode(), e);
        }
        if (response.statusCode() >= 300) {
            List<String> errors = new ArrayList<>();
            body.path("errors").forEach(error -> errors.add(firstLine(error.asText())));
            throw new FlinkRestException("Flink refused to " + what + " (HTTP " + response.statusCode() + "): "
                    + (errors.isEmpty() ? body.toString() : String.join("; ", errors)), response.statusCode());
        }
        return body;
    }

    /**
     * Flink's errors carry whole stack traces: for a failed {@code main}, its {@code ProgramInvocationException}
     * ("The main method caused an error: " and the job's own message); else the first cause that is not a mere
     * future wrapper; else the first line that says something.
     */
    static String firstLine(String text) {
        String first = null;
        String firstCause = null;
        for (String line : text.split("\n")) {
            String trimmed = line.strip();
            if (trimmed.startsWith("Caused by: ")) {
                String cause = trimmed.substring("Caused by: ".length());
                if (cause.startsWith(PROGRAM_INVOCATION_EXCEPTION)) {
                    return cause;
                }
                if (firstCause == null && !cause.startsWith("java.util.concurrent.CompletionException")
                        && !cause.startsWith("java.util.concurrent.ExecutionException")) {
                    firstCause = cause;
                }
            } else if (first == null && !trimmed.isEmpty() && !trimmed.equals("<Exception on server side:")
                    && !trimmed.startsWith("at ") && !trimmed.startsWith("...")) {
                first = trimmed;
            }
        }
        return firstCause != null ? firstCause : first != null ? first : text.strip();
    }

    /** One job as {@code /jobs/overview} lists it. */
    public record JobOverview(String id, String name, String state, long startTimeMs) {
        /** Whether the job may still run: not FINISHED, CANCELED or FAILED. */
        public boolean active() {
            return !List.of("FINISHED", "CANCELED", "FAILED").contains(state);
        }
    }

    /**
     * What to run from an uploaded jar.
     *
     * @param entryClass    the class whose {@code main} builds and submits the job
     * @param programArgs   its arguments
     * @param parallelism   the default parallelism, or empty for the cluster's
     * @param savepointPath the savepoint or retained checkpoint to restore from, or empty
     */
    public record JarRun(String entryClass, List<String> programArgs, Optional<Integer> parallelism,
                         Optional<String> savepointPath) {
        public JarRun {
            Objects.requireNonNull(entryClass, "entryClass");
            programArgs = List.copyOf(programArgs);
            parallelism.ifPresent(p -> {
                if (p <= 0) {
                    throw new IllegalArgumentException("parallelism must be > 0, got " + p);
                }
            });
        }
    }

    /**
     * A job's checkpoint statistics.
     *
     * @param latestCompletedPath the external path of the latest completed checkpoint (retained checkpoints and
     *                            savepoints have one)
     * @param restoredFrom        the path of the checkpoint or savepoint the job restored from, if any
     */
    public record CheckpointStats(long completed, long failed, long inProgress, long restored,
                                  Optional<Long> latestCompletedId, Optional<String> latestCompletedPath,
                                  Optional<String> restoredFrom) {
    }
}
