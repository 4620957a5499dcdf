package io.el4ner.onnx.internal;

import io.el4ner.hub.HubClient;
import io.el4ner.hub.HubException;
import io.el4ner.hub.HubProgress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Model folders from the Hugging Face Hub: the files {@link DecoderDirectory} or {@link ModelSource} read,
 * downloaded into the Hugging Face cache (or found there) by {@link HubClient}, whose snapshot directory then serves
 * as the folder.
 */
final class HubModelFiles {
    private static final Logger log = LoggerFactory.getLogger(HubModelFiles.class);
    /** Files of at least this size get progress lines. */
    private static final long PROGRESS_MIN_BYTES = 5_000_000;
    /** The most external-data files of one ONNX file ({@code .onnx_data}, {@code .onnx_data_1}, …). */
    private static final int MAX_DATA_FILES = 32;

    private HubModelFiles() {
    }

    /**
     * A model folder in the cache.
     *
     * @param directory the snapshot directory ({@code models--org--name/snapshots/<commit>})
     * @param variant the ONNX file's stem under {@code onnx/}
     */
    public record Decoder(Path directory, String variant) {
    }

    /** @return a client set up from the {@code HF_*} environment variables, its progress logged at INFO */
    public static HubClient client() {
        return HubClient.builder().progress(new LoggedProgress()).build();
    }

    /**
     * Downloads (or finds in the cache) what a decoder member needs: {@code config.json}, {@code tokenizer.json},
     * {@code tokenizer_config.json}, {@code generation_config.json} if the repository has it, {@code
     * onnx/<variant>.onnx} and its external data files if it has them.
     *
     * @param hub the client
     * @param repo the repository id
     * @param revision a branch, a tag or a commit hash
     * @param variant the ONNX file's stem, or null for the first of {@code preferred} that the repository has
     * @param preferred the variants to try, in order, when none is given
     * @return the folder and the variant
     * @throws HubException if a file cannot be had, or no preferred variant exists
     */
    public static Decoder decoder(HubClient hub, String repo, String revision, String variant,
                                  List<String> preferred) {
        Objects.requireNonNull(hub, "hub");
        Path dir = hub.snapshot(repo, revision, List.of("config.json", "tokenizer.json", "tokenizer_config.json"));
        // The commit pins the rest, as it pinned the files above.
        String commit = dir.getFileName().toString();
        Probes probes = new Probes(hub, repo, commit);
        probes.optional("generation_config.json");
        String chosen = variant;
        if (chosen == null) {
            List<String> tried = new ArrayList<>();
            for (String v : preferred) {
                if (probes.optional("onnx/" + v + ".onnx")) {
                    chosen = v;
                    break;
                }
                tried.add("onnx/" + v + ".onnx");
            }
            if (chosen == null) {
                throw new HubException(HubException.Reason.FILE_NOT_FOUND, "No ONNX model in repo " + repo
                        + " at revision " + revision + (hub.offline() ? " in the cache " + hub.cacheDir() : "")
                        + ": tried " + tried + "; give 'variant' (the file's stem under onnx/)");
            }
        } else {
            hub.download(repo, commit, "onnx/" + chosen + ".onnx");
        }
        String data = "onnx/" + chosen + ".onnx_data";
        if (probes.optional(data)) {
            for (int i = 1; i < MAX_DATA_FILES && probes.optional(data + "_" + i); i++) {
                // the weights continue in the next file
            }
        }
        return new Decoder(dir, chosen);
    }

    /**
     * Downloads (or finds in the cache) what a sentence encoder needs: {@code tokenizer.json} and {@code
     * onnx/model.onnx}, as the Hub's sentence-transformers repositories have them.
     *
     * @param hub the client
     * @param repo the repository id
     * @param revision a branch, a tag or a commit hash
     * @return the snapshot directory, which {@link ModelSource#directory(Path)} reads
     * @throws HubException if a file cannot be had
     */
    public static Path encoder(HubClient hub, String repo, String revision) {
        return hub.snapshot(repo, revision, List.of("tokenizer.json", "onnx/model.onnx"));
    }

    /**
     * Downloads files a repository may lack, at one commit. Once the Hub cannot be reached (the files before came
     * from the cache), the cache alone answers: a file it lacks counts as absent, rather than each probe retrying the
     * network (and a file the model does need is then named by what reads it).
     */
    private static final class Probes {
        private final HubClient hub;
        private final String repo;
        private final String commit;
        private boolean unreachable;

        Probes(HubClient hub, String repo, String commit) {
            this.hub = hub;
            this.repo = repo;
            this.commit = commit;
        }

        /** @return whether the repository has the file (offline or unreachable: whether the cache has it) */
        boolean optional(String file) {
            if (unreachable) {
                return hub.cached(repo, commit, file).isPresent();
            }
            try {
                hub.download(repo, commit, file);
                return true;
            } catch (HubException e) {
                if (e.reason() == HubException.Reason.FILE_NOT_FOUND
                        || e.reason() == HubException.Reason.NOT_IN_CACHE) {
                    return false;
                }
                if (e.reason() == HubException.Reason.UNREACHABLE) {
                    log.warn("The Hub cannot be reached ({}); the rest of {} at {} is taken from the cache",
                            e.getMessage(), repo, commit);
                    unreachable = true;
                    return hub.cached(repo, commit, file).isPresent();
                }
                throw e;
            }
        }
    }

    /** Progress of large files as INFO lines: at the start, every ten seconds, at the end. */
    private static final class LoggedProgress implements HubProgress {
        private String file;
        private long lastNanos;

        @Override
        public synchronized void update(Transfer t) {
            if (t.bytesTotal() < PROGRESS_MIN_BYTES) {
                return;
            }
            long now = System.nanoTime();
            boolean first = !(t.repo() + " " + t.file()).equals(file);
            if (!t.done() && !first && now - lastNanos < 10_000_000_000L) {
                return;
            }
            file = t.done() ? null : t.repo() + " " + t.file();
            lastNanos = now;
            log.info(HubProgress.describe(t));
        }
    }
}
