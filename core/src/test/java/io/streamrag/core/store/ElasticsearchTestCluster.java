package io.streamrag.core.store;

import io.streamrag.testkit.ElasticsearchCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Starts the 3-node Elasticsearch cluster of an IT from the distribution zip the build resolved (system property
 * {@value #DISTRIBUTION_PROPERTY}, set by core's pom), in a fresh directory under {@code java.io.tmpdir}, or under
 * {@code /tmp} where the nodes, run as an unprivileged user when the tests run as root, could not reach the former.
 */
final class ElasticsearchTestCluster {
    static final String DISTRIBUTION_PROPERTY = "streamrag.elasticsearch.distribution";

    private ElasticsearchTestCluster() {
    }

    /** A started, green cluster of {@code nodes} nodes; the caller closes it. */
    static ElasticsearchCluster start(String name, int nodes) throws IOException, InterruptedException {
        String zip = System.getProperty(DISTRIBUTION_PROPERTY);
        if (zip == null || zip.isBlank()) {
            throw new IllegalStateException("system property " + DISTRIBUTION_PROPERTY + " is not set: run the IT "
                    + "through Maven (failsafe), which resolves the Elasticsearch distribution zip");
        }
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        if (!ElasticsearchCluster.canRunUnder(tmp)) {
            // as root in a checkout others cannot enter (under a home directory, say): the nodes run as an
            // unprivileged user, who must reach their files
            tmp = Path.of(System.getProperty("streamrag.elasticsearch.shared-tmp", "/tmp"));
        }
        Path dir = Files.createTempDirectory(tmp, name);
        String unpacked = Path.of(zip).getFileName().toString().replaceFirst("\\.zip$", "");
        ElasticsearchCluster cluster = ElasticsearchCluster.builder(dir, Path.of(zip)).nodes(nodes)
                .distributionDir(tmp.resolve(unpacked)).build();
        try {
            cluster.start();
            cluster.awaitReady(Duration.ofMinutes(3));
            return cluster;
        } catch (IOException | InterruptedException | RuntimeException e) {
            cluster.close();
            throw e;
        }
    }
}
