/**
 * The query benchmark: open-loop queries through Kafka against the dev stack in a child JVM, with a local
 * OpenAI-compatible LLM server of fixed latency; end-to-end latency and the per-stage breakdown.
 */
package io.streamrag.loadgen.query;
