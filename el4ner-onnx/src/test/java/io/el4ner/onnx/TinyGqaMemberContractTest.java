package io.el4ner.onnx;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** The member contract on tiny-gqa (grouped-query attention, its q4 file); the failing member's logits are NaN. */
class TinyGqaMemberContractTest extends DecoderMemberContractKit {
    @Override
    String fixture() {
        return DecoderFixtures.GQA;
    }

    @Override
    OnnxDecoderMember failing() {
        Path dir = DecoderFixtures.copy(DecoderFixtures.GQA, tmp.resolve("nan-" + System.nanoTime()));
        Path data = dir.resolve("onnx/model.onnx_data");
        try {
            ByteBuffer nan = ByteBuffer.allocate((int) Files.size(data)).order(ByteOrder.LITTLE_ENDIAN);
            while (nan.remaining() >= 4) {
                nan.putFloat(Float.NaN);
            }
            Files.write(data, nan.array());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return OnnxDecoderMember.builder().directory(dir).variant("model").name(fixture()).build();
    }
}
