/**
 * The invalidation processor: a Kafka Streams application on rag.index-changes and rag.control that evicts the
 * cache entries a committed change makes stale (response, retrieval and prefix caches per document, embedding
 * cache per model). The cache layers arrive with the Redis caches; until then nothing caches, so nothing can be
 * stale.
 */
package io.streamrag.invalidation;
