package io.el4ner.onnx.internal;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.el4ner.api.El4nerConfigurationException;
import java.nio.file.Path;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where el4ner creates ONNX Runtime sessions: thread settings, the choice of execution provider and
 * the fallback from CUDA to the CPU, for the sentence encoder and the decoder member alike.
 *
 * <p>Whether CUDA runs is decided from {@code addCUDA} and session creation, never from
 * {@link OrtEnvironment#getAvailableProviders()}: the {@code onnxruntime_gpu} artifact lists CUDA there even when
 * the CUDA 12 libraries it links are missing. When CUDA was asked for and cannot be used, the session is created
 * on the CPU and one WARN says why and what to install, or, if CUDA is required, loading fails with that message.
 */
public final class OrtSessions {
    private static final Logger log = LoggerFactory.getLogger(OrtSessions.class);

    /** What to install for CUDA, repeated in every message about a missing CUDA provider. */
    public static final String CUDA_HINT = "CUDA needs com.microsoft.onnxruntime:onnxruntime_gpu in place of "
            + "onnxruntime (build with -Pcuda, or exclude onnxruntime and add onnxruntime_gpu), CUDA 12 and cuDNN 9 "
            + "on the library path, an NVIDIA driver and a linux-x64 or win-x64 machine";

    private OrtSessions() {
    }

    /**
     * How to run a model.
     *
     * @param intraOpThreads ONNX Runtime's intra-op threads; 0 lets ONNX Runtime choose (one per physical core)
     * @param interOpThreads ONNX Runtime's inter-op threads; 0 lets ONNX Runtime choose
     * @param cudaDevice the CUDA device to run on, or -1 for the CPU
     * @param cudaRequired whether to fail rather than fall back to the CPU when CUDA cannot be used
     */
    public record Options(int intraOpThreads, int interOpThreads, int cudaDevice, boolean cudaRequired) {
        /** Validates the components. */
        public Options {
            if (intraOpThreads < 0 || interOpThreads < 0) {
                throw new IllegalArgumentException("thread counts must not be negative, got " + intraOpThreads
                        + " and " + interOpThreads);
            }
            if (cudaDevice < -1) {
                throw new IllegalArgumentException("the CUDA device must not be negative, got " + cudaDevice);
            }
            if (cudaRequired && cudaDevice < 0) {
                throw new IllegalArgumentException("CUDA is required but no CUDA device was asked for");
            }
        }

        /**
         * @param intraOpThreads intra-op threads, 0 for ONNX Runtime's choice
         * @return CPU options
         */
        public static Options cpu(int intraOpThreads) {
            return new Options(intraOpThreads, 0, -1, false);
        }
    }

    /**
     * A created session and where it runs. The caller owns the session.
     *
     * @param session the session
     * @param executionProvider {@code CPU} or {@code CUDA:<device>}
     * @param cudaFailure why CUDA was not used although asked for; null when it was not asked for or runs
     * @param model the file the session runs; null for a model given as bytes
     */
    public record Opened(OrtSession session, String executionProvider, String cudaFailure, Path model) {
        /** @return whether the session runs on CUDA */
        public boolean onCuda() {
            return executionProvider.startsWith("CUDA");
        }
    }

    /**
     * Creates a session over a model file; ONNX Runtime reads its external data ({@code *.onnx_data}) from the
     * file's folder.
     *
     * @param what the model in messages, e.g. {@code decoder model 'qwen' (onnx/model_q4.onnx)}
     * @param model the {@code .onnx} file
     * @param options how to run it
     * @return the session
     * @throws El4nerConfigurationException if CUDA is required and cannot be used
     * @throws OrtException if ONNX Runtime cannot load the model
     */
    public static Opened open(String what, Path model, Options options) throws OrtException {
        Objects.requireNonNull(model, "model");
        return open(what, model, model, null, options);
    }

    /**
     * Creates a session over one model file on CUDA, or over another on the CPU when CUDA cannot be used: a model
     * folder may hold a float16 file for the GPU and a quantized one for the CPU.
     *
     * @param what the model in messages
     * @param cudaModel the {@code .onnx} file to run on CUDA
     * @param cpuModel the {@code .onnx} file to run on the CPU
     * @param options how to run it
     * @return the session; {@link Opened#model()} says which file it runs
     * @throws El4nerConfigurationException if CUDA is required and cannot be used
     * @throws OrtException if ONNX Runtime cannot load the model
     */
    public static Opened open(String what, Path cudaModel, Path cpuModel, Options options) throws OrtException {
        Objects.requireNonNull(cudaModel, "cudaModel");
        Objects.requireNonNull(cpuModel, "cpuModel");
        return open(what, cudaModel, cpuModel, null, options);
    }

    /**
     * Creates a session over a model held in memory.
     *
     * @param what the model in messages
     * @param model the model's bytes
     * @param options how to run it
     * @return the session
     * @throws El4nerConfigurationException if CUDA is required and cannot be used
     * @throws OrtException if ONNX Runtime cannot load the model
     */
    public static Opened open(String what, byte[] model, Options options) throws OrtException {
        Objects.requireNonNull(model, "model");
        return open(what, null, null, model, options);
    }

    private static Opened open(String what, Path cudaPath, Path cpuPath, byte[] bytes, Options options)
            throws OrtException {
        Objects.requireNonNull(what, "what");
        Objects.requireNonNull(options, "options");
        String cudaFailure = null;
        if (options.cudaDevice() >= 0) {
            try {
                OrtSession s = create(cudaPath, bytes, options, true);
                return new Opened(s, "CUDA:" + options.cudaDevice(), null, cudaPath);
            } catch (OrtException | LinkageError e) {
                cudaFailure = String.valueOf(e.getMessage());
            }
            String message = "CUDA device " + options.cudaDevice() + " was requested for " + what
                    + " but cannot be used: " + cudaFailure + ". " + CUDA_HINT;
            if (options.cudaRequired()) {
                throw new El4nerConfigurationException(message + ". CUDA is required (cudaRequired), so nothing "
                        + "runs on the CPU instead");
            }
            log.warn("{}; running on the CPU instead{}", message, cpuPath == null || cpuPath.equals(cudaPath) ? ""
                    : ", with " + cpuPath.getFileName());
        }
        return new Opened(create(cpuPath, bytes, options, false), "CPU", cudaFailure, cpuPath);
    }

    private static OrtSession create(Path path, byte[] bytes, Options o, boolean cuda) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            if (o.intraOpThreads() > 0) {
                options.setIntraOpNumThreads(o.intraOpThreads());
            }
            if (o.interOpThreads() > 0) {
                options.setInterOpNumThreads(o.interOpThreads());
            }
            if (cuda) {
                options.addCUDA(o.cudaDevice());
            }
            return path != null ? env.createSession(path.toString(), options) : env.createSession(bytes, options);
        }
    }
}
