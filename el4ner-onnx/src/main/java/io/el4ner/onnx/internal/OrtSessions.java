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
 * the CUDA 12 libraries it links are missing. A failure of {@code addCUDA} means CUDA is not there; a failure to
 * create the session with CUDA is the device's (no GPU, too little GPU memory) or the model's, and the CPU decides:
 * when the model does not load on the CPU either, the error is the model's, naming its file, and nothing falls back.
 * When CUDA was asked for and cannot be used, the session is created on the CPU and one WARN says why and what to
 * install, or, if CUDA is required, loading fails with that message.
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
        return open(what, cudaPath, cpuPath, bytes, options, Factory.ORT);
    }

    /**
     * The native stack of the threads that create sessions ({@link #onLargeStack}) and decode: ONNX Runtime (1.29)
     * uses close to a Java thread's default 1 MiB of native stack when it creates a session, so that a thread whose
     * stack is already partly used (a deep call chain, or the main thread of a JVM started with a command line of a
     * few kB, as an application with a long class path is) overflows it and the JVM dies of a SIGSEGV without an
     * error report. 64 MiB is reserved address space, not memory: pages are touched only as deep as the stack goes.
     */
    public static final long NATIVE_STACK_BYTES = 64L << 20;

    private static volatile OrtEnvironment environment;

    /**
     * ONNX Runtime's environment, first made on a thread with a {@linkplain #NATIVE_STACK_BYTES large stack}: the
     * first use of ONNX Runtime loads its native library, whose initialisation needs more native stack than a thread
     * with little room left has (a JVM started with a long command line crashed here).
     *
     * @return the environment
     */
    public static OrtEnvironment environment() {
        OrtEnvironment e = environment;
        if (e == null) {
            synchronized (OrtSessions.class) {
                e = environment;
                if (e == null) {
                    try {
                        e = onLargeStack("el4ner-ort-init", OrtEnvironment::getEnvironment);
                    } catch (OrtException ex) {
                        throw new IllegalStateException("ONNX Runtime could not start: " + ex.getMessage(), ex);
                    }
                    environment = e;
                }
            }
        }
        return e;
    }

    /** Something that ONNX Runtime does and may fail. */
    @FunctionalInterface
    interface OrtCall<T> {
        T call() throws OrtException;
    }

    /**
     * Runs an ONNX Runtime call on a new thread with a {@linkplain #NATIVE_STACK_BYTES large native stack} and
     * waits for it (uninterruptibly: a native call cannot be stopped halfway; the interrupt is kept for the caller).
     */
    static <T> T onLargeStack(String name, OrtCall<T> call) throws OrtException {
        Object[] result = new Object[1];
        Throwable[] failure = new Throwable[1];
        Thread t = new Thread(null, () -> {
            try {
                result[0] = call.call();
            } catch (Throwable e) {
                failure[0] = e;
            }
        }, name, NATIVE_STACK_BYTES);
        t.setDaemon(true);
        t.start();
        boolean interrupted = false;
        while (true) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Throwable e = failure[0];
        if (e instanceof OrtException oe) {
            throw oe;
        }
        if (e instanceof RuntimeException re) {
            throw re;
        }
        if (e instanceof Error err) {
            throw err;
        }
        if (e != null) {
            throw new IllegalStateException(e);
        }
        @SuppressWarnings("unchecked")
        T value = (T) result[0];
        return value;
    }

    /** The two steps of a session that can fail apart; tests stand in for a machine with CUDA. */
    interface Factory {
        /** ONNX Runtime itself. */
        Factory ORT = new Factory() {
            @Override
            public void addCuda(OrtSession.SessionOptions options, int device) throws OrtException {
                options.addCUDA(device);
            }

            @Override
            public OrtSession create(Path path, byte[] bytes, OrtSession.SessionOptions options) throws OrtException {
                OrtEnvironment env = environment();
                return onLargeStack("el4ner-ort-session", () -> path != null
                        ? env.createSession(path.toString(), options) : env.createSession(bytes, options));
            }
        };

        /**
         * Appends the CUDA execution provider: fails when CUDA cannot be used here (no {@code onnxruntime_gpu}, no
         * CUDA or cuDNN libraries).
         */
        void addCuda(OrtSession.SessionOptions options, int device) throws OrtException;

        /** Creates the session: fails when the model cannot be loaded, or the provider cannot run on this device. */
        OrtSession create(Path path, byte[] bytes, OrtSession.SessionOptions options) throws OrtException;
    }

    /**
     * Whether CUDA can be used is decided in two steps: a failure to add the CUDA provider means CUDA is not there; a
     * failure to create the session with it is either the device's (no GPU, too little GPU memory, a driver too old)
     * or the model's, and the CPU decides which: the same model is loaded on the CPU, and if that fails too the
     * error is the model's and is reported as such, naming the file, with no fallback.
     */
    static Opened open(String what, Path cudaPath, Path cpuPath, byte[] bytes, Options options, Factory factory)
            throws OrtException {
        Objects.requireNonNull(what, "what");
        Objects.requireNonNull(options, "options");
        environment(); // loads the native library on a large stack before session options touch it
        String cudaFailure = null;
        if (options.cudaDevice() >= 0) {
            OrtSession arbiter = null;
            try (OrtSession.SessionOptions cuda = sessionOptions(options)) {
                try {
                    factory.addCuda(cuda, options.cudaDevice());
                } catch (OrtException | LinkageError e) {
                    cudaFailure = String.valueOf(e.getMessage());
                }
                if (cudaFailure == null) {
                    try {
                        return new Opened(factory.create(cudaPath, bytes, cuda), "CUDA:" + options.cudaDevice(), null,
                                cudaPath);
                    } catch (OrtException e) {
                        arbiter = loadsOnTheCpu(what, cudaPath, bytes, options, factory, e);
                        cudaFailure = String.valueOf(e.getMessage());
                    }
                }
            }
            String message = "CUDA device " + options.cudaDevice() + " was requested for " + what
                    + " but cannot be used: " + cudaFailure + ". " + CUDA_HINT;
            boolean sameModel = cpuPath == null ? cudaPath == null : cpuPath.equals(cudaPath);
            if (options.cudaRequired() || arbiter != null && !sameModel) {
                closeQuietly(arbiter);
                arbiter = null;
            }
            if (options.cudaRequired()) {
                throw new El4nerConfigurationException(message + ". CUDA is required (cudaRequired), so nothing "
                        + "runs on the CPU instead");
            }
            log.warn("{}; running on the CPU instead{}", message, sameModel ? "" : ", with " + cpuPath.getFileName());
            if (arbiter != null) {
                return new Opened(arbiter, "CPU", cudaFailure, cpuPath);
            }
        }
        try (OrtSession.SessionOptions cpu = sessionOptions(options)) {
            return new Opened(factory.create(cpuPath, bytes, cpu), "CPU", cudaFailure, cpuPath);
        }
    }

    /**
     * After a session failed to be created with CUDA: the same model on the CPU, when it loads there (so the
     * failure was CUDA's); when it does not, the model is at fault and this throws, naming it.
     */
    private static OrtSession loadsOnTheCpu(String what, Path path, byte[] bytes, Options options, Factory factory,
                                            OrtException onCuda) {
        try (OrtSession.SessionOptions cpu = sessionOptions(options)) {
            return factory.create(path, bytes, cpu);
        } catch (OrtException e) {
            e.addSuppressed(onCuda);
            throw new El4nerConfigurationException("cannot load " + what + (path == null ? "" : " from " + path)
                    + ": " + e.getMessage() + " (it fails on the CPU too, so the model, not CUDA, is the cause)", e);
        }
    }

    private static OrtSession.SessionOptions sessionOptions(Options o) throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        try {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            if (o.intraOpThreads() > 0) {
                options.setIntraOpNumThreads(o.intraOpThreads());
            }
            if (o.interOpThreads() > 0) {
                options.setInterOpNumThreads(o.interOpThreads());
            }
            return options;
        } catch (OrtException | RuntimeException e) {
            options.close();
            throw e;
        }
    }

    /** Closes a session, if any, logging a failure at DEBUG: nothing a caller could act on. */
    static void closeQuietly(OrtSession session) {
        if (session != null) {
            try {
                session.close();
            } catch (OrtException e) {
                log.debug("closing an ONNX Runtime session failed", e);
            }
        }
    }
}
