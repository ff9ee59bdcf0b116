package io.streamrag.loadgen.ingest;

import dev.langchain4j.data.document.Document;
import dev.langchain4j.data.document.DocumentSplitter;
import dev.langchain4j.data.document.Metadata;
import dev.langchain4j.data.document.splitter.DocumentSplitters;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.HuggingFaceTokenCountEstimator;
import dev.langchain4j.model.embedding.onnx.bgesmallenv15q.BgeSmallEnV15QuantizedEmbeddingModel;
import dev.langchain4j.store.embedding.EmbeddingStoreIngestor;
import dev.langchain4j.store.embedding.inmemory.InMemoryEmbeddingStore;
import io.streamrag.loadgen.query.QueryBenchmark;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.HdrHistogram.Histogram;

/**
 * The peer of the ingest comparison, run in a JVM of its own by {@link IngestBenchmark}: langchain4j's in-process
 * ingestion ({@code EmbeddingStoreIngestor}: recursive splitter of 256 tokens with 32 overlap counted with the BERT
 * tokenizer, {@code BgeSmallEnV15QuantizedEmbeddingModel} from the same model jar as streamrag's default model,
 * one text per ONNX call from a pool of {@code --threads} threads, an in-memory store), on the same documents
 * (title and text, as streamrag embeds them). Warms up on other documents, then times the ingestion of
 * {@code --docs} documents until the last is in the store (searchable), then embeds {@code --questions} questions
 * one at a time. Prints one {@value #RESULT} line for the parent to read.
 */
public final class PeerIngest {
    static final String RESULT = "peer-result";
    private static final int WARMUP_DOCS = 4;

    private PeerIngest() {
    }

    public static void main(String[] args) throws Exception {
        Path corpus = Path.of(args[0]);
        int docs = Integer.parseInt(args[1]);
        int threads = Integer.parseInt(args[2]);
        Path queries = Path.of(args[3]);
        int questions = Integer.parseInt(args[4]);

        List<CorpusDocument> read = CorpusDocument.read(corpus, docs + WARMUP_DOCS);
        List<Document> bulk = documents(read.subList(0, docs));
        List<Document> warmup = documents(read.subList(docs, read.size()));
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        EmbeddingModel model = new BgeSmallEnV15QuantizedEmbeddingModel(pool);
        DocumentSplitter splitter = DocumentSplitters.recursive(256, 32, new HuggingFaceTokenCountEstimator());
        InMemoryEmbeddingStore<TextSegment> store = new InMemoryEmbeddingStore<>();
        EmbeddingStoreIngestor ingestor = EmbeddingStoreIngestor.builder().documentSplitter(splitter)
                .embeddingModel(model).embeddingStore(store).build();
        ingestor.ingest(warmup);

        long start = System.nanoTime();
        ingestor.ingest(bulk);
        double seconds = (System.nanoTime() - start) / 1e9;
        int chunks = splitter.splitAll(bulk).size();

        Histogram questionMicros = new Histogram(60_000_000L, 3);
        List<String> texts = QueryBenchmark.readQuestions(queries);
        for (int i = 0; i < questions; i++) {
            long t0 = System.nanoTime();
            model.embed(texts.get(i % texts.size()));
            questionMicros.recordValue((System.nanoTime() - t0) / 1000);
        }
        System.out.printf(Locale.ROOT, "%s docs=%d chunks=%d seconds=%.3f questionP50Ms=%.2f questionP99Ms=%.2f%n",
                RESULT, bulk.size(), chunks, seconds, questionMicros.getValueAtPercentile(50) / 1000.0,
                questionMicros.getValueAtPercentile(99) / 1000.0);
        System.out.flush();
        pool.shutdownNow();
        System.exit(0);
    }

    private static List<Document> documents(List<CorpusDocument> docs) {
        List<Document> out = new ArrayList<>(docs.size());
        for (CorpusDocument doc : docs) {
            String text = doc.title().isBlank() ? doc.text() : doc.title() + "\n" + doc.text();
            out.add(Document.from(text, Metadata.from("id", doc.id())));
        }
        return out;
    }
}
