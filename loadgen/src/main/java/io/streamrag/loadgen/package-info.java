/**
 * The open-loop load generator: offers documents and queries to a stack through its Kafka topics at a fixed rate
 * and reports throughput, latency percentiles and freshness.
 */
package io.streamrag.loadgen;
