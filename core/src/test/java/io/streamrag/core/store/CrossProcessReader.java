package io.streamrag.core.store;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.TreeSet;

/**
 * The reader of {@link LuceneShardStoreCrossProcessIT}, run in a child JVM: opens the store read-only and answers
 * each line {@code COLLECTION} on stdin with one line {@code RESULT id,id,...} (every chunk id of the collection it
 * sees, sorted) on stdout, until stdin closes. Other stdout lines (logging) are to be ignored.
 *
 * <p>Usage: {@code CrossProcessReader DATA_DIR DIMENSION}.
 */
public final class CrossProcessReader {
    static final String RESULT = "RESULT ";

    private CrossProcessReader() {
    }

    public static void main(String[] args) throws Exception {
        Path dataDir = Path.of(args[0]);
        int dimension = Integer.parseInt(args[1]);
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        try (VectorStore store = LuceneShardStore.builder().dataDir(dataDir).dimension(dimension).readOnly(true)
                .build();
             BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            out.println("READY");
            for (String collection = in.readLine(); collection != null; collection = in.readLine()) {
                TreeSet<String> ids = new TreeSet<>();
                float[] any = new float[dimension];
                any[0] = 1;
                store.searchDense(any, 10_000, SearchFilter.collection(collection))
                        .forEach(hit -> ids.add(hit.chunk().chunkId()));
                out.println(RESULT + String.join(",", ids));
            }
        }
    }
}
