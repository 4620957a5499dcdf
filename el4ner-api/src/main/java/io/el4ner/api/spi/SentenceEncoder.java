package io.el4ner.api.spi;

import io.el4ner.api.El4nerException;
import io.el4ner.api.TextRange;
import java.util.ArrayList;
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
     * Encodes each text as if it were the only text of its call: a text's vector depends on that text alone,
     * never on the other texts. {@link #encode} may batch texts in a way that makes vectors depend slightly on
     * their batch (int8 models with dynamic activation scales do); span-level retrieval uses this method so that
     * the same span text always gets the same vector, in the pool's index and in a query. The default calls
     * {@code encode(List.of(text))} for each text in turn, which is slow for an encoder behind a remote service:
     * an encoder whose vectors never depend on their batch should override this to return {@code encode(texts)},
     * and one that batches should run the texts concurrently, each alone.
     *
     * @param texts texts to encode (may be empty)
     * @return one unit vector per text, in order, each equal to {@code encode(List.of(text)).get(0)}
     * @throws El4nerException if {@link #encode} returns other than one vector for one text
     * @since 0.1
     */
    default List<float[]> encodeEach(List<String> texts) {
        List<float[]> out = new ArrayList<>(texts.size());
        for (String text : texts) {
            List<float[]> one = encode(List.of(text));
            if (one.size() != 1) {
                throw new El4nerException("sentence encoder '" + identity() + "' returned " + one.size()
                        + " vectors for one text");
            }
            out.add(one.get(0));
        }
        return out;
    }

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
