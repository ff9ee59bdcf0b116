/**
 * Implementation details of the schemas module: schema history, bounded decoding, key serde.
 * Not an API; other modules use {@link io.streamrag.schemas}.
 */
package io.streamrag.schemas.internal;
