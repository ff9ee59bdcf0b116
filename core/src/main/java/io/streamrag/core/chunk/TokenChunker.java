package io.streamrag.core.chunk;

import io.streamrag.core.Document;
import io.streamrag.core.chunk.internal.MarkdownBlocks;
import io.streamrag.core.embed.Embedder;
import io.streamrag.core.embed.TokenCounter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A {@link Chunker} that cuts documents along their structure and measures chunks in the embedder's own
 * tokens.
 *
 * <p>The text is split into sections at Markdown headings (a heading always starts a new chunk), sections
 * into paragraphs at blank lines, paragraphs that do not fit into sentences, and sentences that do not fit
 * into words (a single word that does not fit is cut between characters). Consecutive pieces of a section are
 * then packed greedily into chunks while the chunk's {@link Chunk#embeddingText()} (the title, a newline and
 * the chunk text) counts at most {@code maxTokens}; so a paragraph that fits is never cut, and an over-long
 * sentence is cut at the word where the budget runs out. Chunk text is the document's own text from the first
 * to the last piece, so line breaks and headings survive. Each chunk after the first of a section starts with
 * the trailing sentences of the previous chunk, as many whole sentences as fit in {@code overlapTokens}
 * (none when its last sentence alone is longer); overlap never crosses a heading.
 *
 * <p>When a title takes more than half of {@code maxTokens}, it is not counted and chunk texts are limited to
 * half of {@code maxTokens} instead, so that every chunk still carries real content; the embedder truncates
 * the longer embedding text.
 *
 * <p>Deterministic (fixed splitting rules; ids from {@link ChunkIds}); a document with non-blank text yields at
 * least one chunk, blank text none. Immutable and thread-safe when its {@link TokenCounter} is, as the
 * {@link TokenCounter} contract requires.
 */
public final class TokenChunker implements Chunker {
    public static final int DEFAULT_MAX_TOKENS = 256;
    public static final int DEFAULT_OVERLAP_TOKENS = 32;

    private final TokenCounter tokenCounter;
    private final int maxTokens;
    private final int overlapTokens;

    private TokenChunker(Builder b) {
        this.tokenCounter = b.tokenCounter;
        this.maxTokens = b.maxTokens;
        this.overlapTokens = b.overlapTokens;
    }

    /** A builder; {@link Builder#tokenCounter(TokenCounter)} is required. */
    public static Builder builder() {
        return new Builder();
    }

    /** A chunker with default sizes that counts tokens with {@code embedder}'s tokenizer. */
    public static TokenChunker forEmbedder(Embedder embedder) {
        return builder().tokenCounter(embedder.tokenCounter()).build();
    }

    /** The most tokens in a chunk's {@link Chunk#embeddingText()}. */
    public int maxTokens() {
        return maxTokens;
    }

    /** The most tokens of trailing sentences repeated at the start of the next chunk. */
    public int overlapTokens() {
        return overlapTokens;
    }

    @Override
    public List<Chunk> chunk(Document document) {
        Objects.requireNonNull(document, "document");
        String text = document.text();
        if (text.isBlank()) {
            return List.of();
        }
        Budget budget = new Budget(document.title());
        List<String> bodies = new ArrayList<>();
        for (Span section : MarkdownBlocks.sections(text)) {
            pack(text, pieces(text, section, budget), budget, bodies);
        }
        List<Chunk> chunks = new ArrayList<>(bodies.size());
        for (int ordinal = 0; ordinal < bodies.size(); ordinal++) {
            chunks.add(new Chunk(
                    ChunkIds.of(document.collection(), document.docId(), ordinal, document.version()),
                    document.collection(), document.docId(), document.version(), ordinal, document.title(),
                    bodies.get(ordinal), document.metadata()));
        }
        return List.copyOf(chunks);
    }

    @Override
    public String toString() {
        return "TokenChunker[maxTokens=" + maxTokens + ", overlapTokens=" + overlapTokens + "]";
    }

    /**
     * Splits a section into the largest structural units that fit the budget on their own: paragraphs, else
     * sentences, else (for an over-long sentence) single words, so that packing can fill a chunk up to the
     * budget from the middle of a long sentence.
     */
    private List<Piece> pieces(String text, Span section, Budget budget) {
        List<Piece> pieces = new ArrayList<>();
        for (Span paragraph : MarkdownBlocks.paragraphs(text, section)) {
            List<Span> sentences = SentenceSplitter.split(text, paragraph);
            if (budget.fits(text, paragraph.start(), paragraph.end())) {
                int[] starts = sentences.stream().mapToInt(Span::start).toArray();
                pieces.add(new Piece(paragraph, starts));
                continue;
            }
            for (Span sentence : sentences) {
                if (budget.fits(text, sentence.start(), sentence.end())) {
                    pieces.add(new Piece(sentence, new int[] {sentence.start()}));
                } else {
                    addWords(text, sentence, budget, pieces);
                }
            }
        }
        return pieces;
    }

    /** Adds the words of an over-long sentence as pieces; the first keeps the sentence start for overlap. */
    private void addWords(String text, Span sentence, Budget budget, List<Piece> pieces) {
        int i = sentence.start();
        while (i < sentence.end()) {
            while (i < sentence.end() && Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < sentence.end() && !Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            if (i == start) {
                continue;
            }
            int[] starts = start == sentence.start() ? new int[] {start} : new int[0];
            if (budget.fits(text, start, i)) {
                pieces.add(new Piece(new Span(start, i), starts));
            } else {
                for (Span part : splitChars(text, new Span(start, i), budget)) {
                    pieces.add(new Piece(part, part.start() == sentence.start() ? starts : new int[0]));
                }
            }
        }
    }

    /** Packs a section's pieces greedily into chunk bodies, each starting with the previous chunk's overlap. */
    private void pack(String text, List<Piece> pieces, Budget budget, List<String> bodies) {
        int[] sentenceStarts = pieces.stream().flatMapToInt(p -> Arrays.stream(p.sentenceStarts())).toArray();
        int[] carry = new int[0];
        int i = 0;
        while (i < pieces.size()) {
            Piece first = pieces.get(i);
            int start = first.span().start();
            // the earliest overlap start that still leaves room for the first new piece
            for (int candidate : carry) {
                if (budget.fits(text, candidate, first.span().end())) {
                    start = candidate;
                    break;
                }
            }
            int last = lastFitting(text, pieces, i, start, budget);
            int end = pieces.get(last).span().end();
            bodies.add(text.substring(start, end));
            carry = last + 1 < pieces.size() ? overlapStarts(text, sentenceStarts, start, end) : new int[0];
            i = last + 1;
        }
    }

    /**
     * The index of the last piece that still fits in a chunk starting at {@code start}, given that piece
     * {@code first} does. Gallops then bisects, so a chunk made of many small pieces (the words of a long
     * sentence) costs a logarithmic number of token counts; a longer span never counts fewer tokens.
     */
    private static int lastFitting(String text, List<Piece> pieces, int first, int start, Budget budget) {
        int lo = first; // fits
        int hi = pieces.size(); // does not fit, or past the end
        for (int step = 1; lo + step < pieces.size(); step *= 2) {
            if (budget.fits(text, start, pieces.get(lo + step).span().end())) {
                lo += step;
            } else {
                hi = lo + step;
                break;
            }
        }
        while (hi - lo > 1) {
            int mid = (lo + hi) >>> 1;
            if (budget.fits(text, start, pieces.get(mid).span().end())) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /**
     * Sentence starts inside {@code (start, end)} whose suffix up to {@code end} fits in {@code overlapTokens},
     * earliest first. Strictly after {@code start}, so the next chunk never repeats a whole chunk.
     */
    private int[] overlapStarts(String text, int[] sentenceStarts, int start, int end) {
        if (overlapTokens == 0) {
            return new int[0];
        }
        List<Integer> fitting = new ArrayList<>();
        int found = Arrays.binarySearch(sentenceStarts, end);
        int lastBeforeEnd = found >= 0 ? found - 1 : -found - 2;
        for (int k = lastBeforeEnd; k >= 0; k--) {
            int s = sentenceStarts[k];
            if (s <= start || tokenCounter.count(text.substring(s, end)) > overlapTokens) {
                break; // longer suffixes only grow
            }
            fitting.add(0, s);
        }
        return fitting.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Cuts one over-long word between code points; every part has at least one code point. */
    private List<Span> splitChars(String text, Span word, Budget budget) {
        int[] bounds = new int[word.end() - word.start() + 1];
        int count = 0;
        for (int i = word.start(); i < word.end(); i = text.offsetByCodePoints(i, 1)) {
            bounds[count++] = i;
        }
        bounds[count] = word.end();
        List<Span> parts = new ArrayList<>();
        int a = 0;
        while (a < count) {
            int lo = a + 1;
            // no token in any common vocabulary spans more than a few dozen characters
            int hi = (int) Math.min(count, a + (long) maxTokens * 32);
            while (lo < hi) {
                int mid = (lo + hi + 1) >>> 1;
                if (budget.fits(text, bounds[a], bounds[mid])) {
                    lo = mid;
                } else {
                    hi = mid - 1;
                }
            }
            parts.add(new Span(bounds[a], bounds[lo]));
            a = lo;
        }
        return parts;
    }

    /** One packable unit: a paragraph, a sentence or a run of words, with the sentence starts inside it. */
    private record Piece(Span span, int[] sentenceStarts) {
    }

    /** The token budget of one document's chunks, which depends on its title. */
    private final class Budget {
        private final String title;
        private final boolean countTitle;
        private final int limit;

        Budget(String title) {
            this.title = title;
            int titleTokens = title.isBlank() ? 0 : tokenCounter.count(title);
            this.countTitle = titleTokens <= maxTokens / 2;
            this.limit = countTitle ? maxTokens : maxTokens - maxTokens / 2;
        }

        boolean fits(String text, int start, int end) {
            String body = text.substring(start, end);
            return tokenCounter.count(countTitle ? embeddingText(body) : body) <= limit;
        }

        /** Measured through {@link Chunk#embeddingText()} itself, so the budget follows its definition. */
        private String embeddingText(String body) {
            return new Chunk("probe", "probe", "probe", 0, 0, title, body, Map.of()).embeddingText();
        }
    }

    /**
     * Settings for a {@link TokenChunker}; each setter validates its value, {@link #build()} checks the
     * combination. Not thread-safe.
     */
    public static final class Builder {
        private TokenCounter tokenCounter;
        private int maxTokens = DEFAULT_MAX_TOKENS;
        private int overlapTokens = DEFAULT_OVERLAP_TOKENS;

        private Builder() {
        }

        /** Required: counts tokens as the embedder will see them, usually {@link Embedder#tokenCounter()}. */
        public Builder tokenCounter(TokenCounter counter) {
            this.tokenCounter = Objects.requireNonNull(counter, "tokenCounter");
            return this;
        }

        /**
         * The most tokens in a chunk's embedding text (title included, special tokens excluded); default 256.
         * Keep it below the embedder's limit minus its special tokens, or the embedder truncates chunks.
         */
        public Builder maxTokens(int tokens) {
            if (tokens < 1) {
                throw new IllegalArgumentException("maxTokens must be >= 1, got " + tokens);
            }
            this.maxTokens = tokens;
            return this;
        }

        /** The most tokens of trailing sentences repeated in the next chunk; 0 disables overlap; default 32. */
        public Builder overlapTokens(int tokens) {
            if (tokens < 0) {
                throw new IllegalArgumentException("overlapTokens must be >= 0, got " + tokens);
            }
            this.overlapTokens = tokens;
            return this;
        }

        /**
         * Builds the chunker.
         *
         * @throws IllegalStateException when no token counter was set
         * @throws IllegalArgumentException when overlapTokens exceeds half of maxTokens
         */
        public TokenChunker build() {
            if (tokenCounter == null) {
                throw new IllegalStateException("tokenCounter is required: pass the embedder's tokenCounter()");
            }
            if (overlapTokens > maxTokens / 2) {
                throw new IllegalArgumentException("overlapTokens must be <= maxTokens / 2 (" + maxTokens / 2
                        + "), got " + overlapTokens);
            }
            return new TokenChunker(this);
        }
    }
}
