package io.streamrag.core.corpus;

import java.util.Map;

/**
 * A document read from a file, before it gets a collection and a version.
 *
 * @param version the version the file asked for, or null to let the submitter choose one
 */
public record SourceDocument(String id, String title, String text, Map<String, String> metadata, Long version,
                             String source) {
}
