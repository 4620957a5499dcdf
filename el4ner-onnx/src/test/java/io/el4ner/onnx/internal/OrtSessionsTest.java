package io.el4ner.onnx.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.el4ner.api.El4nerConfigurationException;
import io.el4ner.onnx.DecoderFixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CUDA fallback on a machine that stands for one with CUDA (the provider is "added"), since the build's CPU
 * runtime fails at {@code addCUDA} already: a session that fails with CUDA but loads on the CPU is CUDA's failure (a
 * fallback); one that fails on the CPU too is the model's (an error naming the file, no fallback).
 */
class OrtSessionsTest {
    private static final Path MODEL = DecoderFixtures.dir(DecoderFixtures.MHA).resolve("onnx/model.onnx");

    /** CUDA "added" to any options; sessions with CUDA fail with {@code cudaError}, or are created on the CPU. */
    private static OrtSessions.Factory cudaMachine(String cudaError) {
        Set<OrtSession.SessionOptions> withCuda = Collections.newSetFromMap(new IdentityHashMap<>());
        return new OrtSessions.Factory() {
            @Override
            public void addCuda(OrtSession.SessionOptions options, int device) {
                withCuda.add(options);
            }

            @Override
            public OrtSession create(Path path, byte[] bytes, OrtSession.SessionOptions options) throws OrtException {
                if (withCuda.contains(options) && cudaError != null) {
                    throw new OrtException(cudaError);
                }
                return OrtSessions.Factory.ORT.create(path, bytes, options);
            }
        };
    }

    private static OrtSessions.Opened open(Path model, boolean required, OrtSessions.Factory factory)
            throws OrtException {
        return OrtSessions.open("model 'm'", model, model, null, new OrtSessions.Options(1, 0, 0, required), factory);
    }

    @Test
    void aSessionThatFailsOnlyWithCuda_fallsBackToTheCpu_orFailsWhenCudaIsRequired() throws OrtException {
        String noDevice = "CUDA failure 100: no CUDA-capable device is detected";
        OrtSessions.Opened opened = open(MODEL, false, cudaMachine(noDevice));
        try (OrtSession session = opened.session()) {
            assertThat(opened.executionProvider()).isEqualTo("CPU");
            assertThat(opened.cudaFailure()).isEqualTo(noDevice);
            assertThat(session.getInputNames()).contains("input_ids");
        }
        assertThatThrownBy(() -> open(MODEL, true, cudaMachine(noDevice)))
                .isInstanceOf(El4nerConfigurationException.class).hasMessageContaining("CUDA device 0")
                .hasMessageContaining(noDevice).hasMessageContaining("cudaRequired");
    }

    @Test
    void aModelThatFailsOnTheCpuToo_isAModelErrorNamingTheFile_notACudaFallback(@TempDir Path tmp)
            throws IOException {
        Path damaged = Files.write(tmp.resolve("model.onnx"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        for (boolean required : new boolean[] {false, true}) {
            assertThatThrownBy(() -> open(damaged, required, cudaMachine(null)))
                    .isInstanceOf(El4nerConfigurationException.class)
                    .hasMessageContaining("cannot load model 'm' from " + damaged)
                    .hasMessageContaining("the model, not CUDA, is the cause")
                    .hasMessageNotContaining("cannot be used").hasMessageNotContaining("cudaRequired");
        }
    }

    @Test
    void withCudaAvailable_theSessionRunsOnCuda() throws OrtException {
        OrtSessions.Opened opened = open(MODEL, true, cudaMachine(null));
        try (OrtSession session = opened.session()) {
            assertThat(opened.executionProvider()).isEqualTo("CUDA:0");
            assertThat(opened.cudaFailure()).isNull();
        }
    }
}
