package io.el4ner.tck;

import io.el4ner.api.spi.SentenceEncoder;

/** The kit run on an encoder that keeps the contract. */
class HashingEncoderContractTest extends SentenceEncoderContractTest {
    @Override
    protected SentenceEncoder encoder() {
        return new HashingEncoder();
    }
}
