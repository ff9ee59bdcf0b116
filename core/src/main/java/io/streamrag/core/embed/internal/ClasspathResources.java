package io.streamrag.core.embed.internal;

import io.streamrag.core.embed.EmbeddingException;
import java.io.InputStream;

/** Opens model files shipped inside jars. Not public API; stateless and thread-safe. */
public final class ClasspathResources {
    private ClasspathResources() {
    }

    /**
     * Opens a resource at the classpath root, resolved through the class loader that loaded streamrag (under
     * Flink that is the user-code class loader that also holds the model jars). The caller closes the stream.
     *
     * @param name     the resource name, without a leading slash
     * @param artifact the Maven artifact expected to carry it, for the error message
     * @throws EmbeddingException when the resource is missing
     */
    public static InputStream open(String name, String artifact) {
        InputStream in = ClasspathResources.class.getClassLoader().getResourceAsStream(name);
        if (in == null) {
            throw new EmbeddingException("model resource '" + name + "' not found on the classpath: check that "
                    + artifact + " is a runtime dependency (and, in a shaded jar, that the resource was kept)");
        }
        return in;
    }
}
