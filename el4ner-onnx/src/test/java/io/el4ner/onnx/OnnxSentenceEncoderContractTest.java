package io.el4ner.onnx;

import io.el4ner.api.spi.SentenceEncoder;
import io.el4ner.tck.SentenceEncoderContractTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** el4ner's own encoder, with the bundled model, against the plugin contract kit. */
class OnnxSentenceEncoderContractTest extends SentenceEncoderContractTest {
    private static OnnxSentenceEncoder shared;

    @BeforeAll
    static void load() {
        shared = OnnxSentenceEncoder.builder().build();
    }

    @AfterAll
    static void release() {
        shared.close();
    }

    @Override
    protected SentenceEncoder encoder() {
        return shared;
    }

    @Override
    protected SentenceEncoder closeableEncoder() {
        return OnnxSentenceEncoder.builder().parallelism(1).build();
    }
}
