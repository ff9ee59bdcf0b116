/**
 * The ingest benchmark: {@link io.streamrag.loadgen.ingest.IngestBenchmark} (run by {@code bin/bench-ingest}) measures
 * the embedding model alone, end-to-end ingest through a child JVM running Kafka and the ingest job
 * ({@link io.streamrag.loadgen.ingest.IngestBenchStack}), freshness under open-loop load and peak memory; see
 * {@code docs/benchmarks.md}.
 */
package io.streamrag.loadgen.ingest;
