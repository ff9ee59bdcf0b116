/**
 * The invalidation processor: a Kafka Streams application on rag.index-changes and rag.control that makes the cache
 * entries a committed change could make stale unreachable at once (response, retrieval and prefix caches per
 * document or collection, embedding cache per model), and measures how long that took after the store commit.
 * {@link io.streamrag.invalidation.InvalidationTopology} is the topology, {@link
 * io.streamrag.invalidation.InvalidationStreams} runs it; the cache protocol itself lives in
 * {@code io.streamrag.core.cache}.
 */
package io.streamrag.invalidation;
