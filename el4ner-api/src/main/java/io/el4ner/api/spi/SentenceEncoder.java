package io.el4ner.api.spi;

import io.el4ner.api.TextRange;
import java.util.List;

/**
 * Turns texts into vectors for similarity search (span-level demonstration retrieval). Vectors are
 * L2-normalised, so a dot product is their cosine similarity. Implementations are thread-safe and batch
 * internally.
 *
 * <p>Array ownership: every returned array is new and belongs to the caller.
 *
 * @since 0.1
 */
public interface SentenceEncoder extends AutoCloseable {
    /**
     * A stable description of the model and how vectors are made (model name and a fingerprint of its weights,
     * pooling, normalisation, maximum length), recorded in saved indexes: vectors of two encoders with different
     * identities must never be compared.
     *
     * @return the identity
     */
    String identity();

    /** @return the length of every vector */
    int dimension();

    /**
     * @param texts texts to encode (may be empty)
     * @return one unit vector per text, in order
     */
    List<float[]> encode(List<String> texts);

    /**
     * Encodes spans in context: one pass over the sentence, then each span's vector is the normalised mean of
     * the sub-token vectors it covers.
     *
     * @param sentence the sentence
     * @param spans ranges of the sentence, each non-empty
     * @return one unit vector per span, in order
     */
    List<float[]> encodeSpans(String sentence, List<TextRange> spans);

    /** Releases the model. May be called more than once. */
    @Override
    default void close() {
    }
}
