/** Processors of the invalidation topology; not part of the public API. */
package io.streamrag.invalidation.internal;
