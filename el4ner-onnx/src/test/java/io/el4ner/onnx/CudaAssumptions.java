package io.el4ner.onnx;

import static org.junit.jupiter.api.Assumptions.assumeFalse;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;

/** What the tests of the CPU fallback assume of the machine. */
public final class CudaAssumptions {
    private CudaAssumptions() {
    }

    /**
     * Skips a test of the fallback from CUDA to the CPU where ONNX Runtime has the CUDA provider (the
     * {@code onnxruntime_gpu} artifact, {@code -Pcuda}): there CUDA may well run, and the test would fail. (The GPU
     * artifact lists CUDA even where its libraries are missing, so the test is skipped there too.)
     */
    public static void assumeCudaAbsent() {
        assumeFalse(OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA),
                "ONNX Runtime has the CUDA provider here: the fallback to the CPU is tested only without it");
    }
}
