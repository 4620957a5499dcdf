package io.el4ner.cli;

import io.el4ner.core.DefaultEnsemble;
import io.el4ner.hub.HubClient;
import io.el4ner.hub.HubException;
import io.el4ner.hub.HubProgress;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The models of the {@linkplain DefaultEnsemble default ensemble} on this machine: their sizes, whether the Hugging
 * Face cache has them, and downloading them. The {@code HF_*} variables come from the environment given, so that
 * {@code el4ner models} and {@code el4ner recognize} without {@code --config} use one cache and one endpoint.
 */
final class DefaultModels {
    /** Files of at least this size get progress lines on stderr. */
    static final long PROGRESS_MIN_BYTES = 5_000_000;

    /** Where a file's size came from. */
    enum Source {
        /** Pinned in {@link DefaultEnsemble}. */
        PINNED("pinned in el4ner"),
        /** The cached file's size. */
        CACHE("from the cache"),
        /** The Hub's answer to a {@code HEAD}. */
        HUB("from the Hub");

        final String shown;

        Source(String shown) {
            this.shown = shown;
        }
    }

    /**
     * A file with its size.
     *
     * @param path the path in the repository
     * @param bytes its size
     * @param source where the size came from
     * @param cached whether the cache has it
     */
    record Sized(String path, long bytes, Source source, boolean cached) {
    }

    /**
     * A member with its files' sizes.
     *
     * @param member the member
     * @param files its files
     */
    record SizedMember(DefaultEnsemble.Member member, List<Sized> files) {
        long bytes() {
            return files.stream().mapToLong(Sized::bytes).sum();
        }

        boolean cached() {
            return files.stream().allMatch(Sized::cached);
        }
    }

    private DefaultModels() {
    }

    /**
     * @param env the environment ({@code HF_ENDPOINT}, {@code HF_HUB_CACHE}, {@code HF_HUB_OFFLINE}, {@code HF_TOKEN}...)
     * @param progress where download progress goes, or null for none
     * @return a client for that environment
     */
    static HubClient client(Map<String, String> env, PrintStream progress) {
        HubClient.Builder b = HubClient.builder().environment(env);
        if (progress != null) {
            b.progress(HubProgress.printingTo(progress, PROGRESS_MIN_BYTES));
        }
        return b.build();
    }

    /**
     * The sizes of every file: pinned, else the cached file's, else the Hub's ({@code HEAD}).
     *
     * @param hub the client
     * @return the members with their files' sizes
     * @throws HubException if a size is neither pinned nor cached and the Hub cannot say (offline, no network)
     */
    static List<SizedMember> sizes(HubClient hub) {
        List<SizedMember> out = new ArrayList<>();
        for (DefaultEnsemble.Member m : DefaultEnsemble.members()) {
            List<Sized> files = new ArrayList<>();
            for (DefaultEnsemble.ModelFile f : m.files()) {
                Optional<Path> cached = hub.cached(m.repo(), m.revision(), f.path());
                if (f.bytes() != DefaultEnsemble.UNKNOWN_SIZE) {
                    files.add(new Sized(f.path(), f.bytes(), Source.PINNED, cached.isPresent()));
                } else if (cached.isPresent()) {
                    files.add(new Sized(f.path(), size(cached.get()), Source.CACHE, true));
                } else {
                    files.add(new Sized(f.path(), hub.info(m.repo(), m.revision(), f.path()).size(), Source.HUB,
                            false));
                }
            }
            out.add(new SizedMember(m, files));
        }
        return out;
    }

    /**
     * Downloads (or finds in the cache) every file of every member.
     *
     * <p>With {@code verify} ({@code el4ner models --download}), every file is asked of the Hub (so a branch
     * revision picks up a new commit) and then read whole against its checksum. Without ({@code recognize}), a member
     * whose files the cache holds for its revision is taken from the cache as it is, with no request and no hashing
     * (downloads were checked when they were made), so that each run starts at once, with the network or without.
     *
     * @param hub the client
     * @param verify whether to ask the Hub for every file and check each against its checksum
     * @return each member's snapshot directory, by member name
     * @throws HubException if a file cannot be had or does not match its checksum
     */
    static Map<String, Path> download(HubClient hub, boolean verify) {
        Map<String, Path> dirs = new LinkedHashMap<>();
        for (DefaultEnsemble.Member m : DefaultEnsemble.members()) {
            List<String> paths = m.files().stream().map(DefaultEnsemble.ModelFile::path).toList();
            Optional<Path> cached = verify ? Optional.empty() : cachedSnapshot(hub, m, paths);
            if (cached.isPresent()) {
                dirs.put(m.name(), cached.get());
                continue;
            }
            Path dir = hub.snapshot(m.repo(), m.revision(), paths);
            if (verify) {
                String commit = dir.getFileName().toString();
                for (String p : paths) {
                    hub.verify(m.repo(), commit, p);
                }
            }
            dirs.put(m.name(), dir);
        }
        return dirs;
    }

    /** The snapshot directory holding all of a member's files for its revision, if the cache has them all. */
    private static Optional<Path> cachedSnapshot(HubClient hub, DefaultEnsemble.Member m, List<String> paths) {
        Path dir = null;
        for (String p : paths) {
            Optional<Path> file = hub.cached(m.repo(), m.revision(), p);
            if (file.isEmpty()) {
                return Optional.empty();
            }
            Path snapshot = file.get();
            for (int i = p.split("/").length; i > 0 && snapshot != null; i--) {
                snapshot = snapshot.getParent();
            }
            if (snapshot == null || dir != null && !dir.equals(snapshot)) {
                return Optional.empty(); // files of different commits: ask the Hub
            }
            dir = snapshot;
        }
        return Optional.ofNullable(dir);
    }

    /**
     * The message for a default ensemble whose models cannot be had: what is missing, and the two ways out.
     *
     * @param hub the client
     * @param e why
     * @return one message
     */
    static String cannotGet(HubClient hub, HubException e) {
        String why = hub.offline()
                ? "the default ensemble's models are not all in the Hugging Face cache: "
                : "the default ensemble's models are not all in the Hugging Face cache (" + hub.cacheDir()
                        + ") and could not be downloaded: ";
        return why + sentence(e.getMessage()) + " To get them, run 'el4ner models --download' where there is "
                + "network ('el4ner models' lists them and their size), or give --config FILE with members that "
                + "point at a model server (see examples/el4ner.json and 'el4ner help config').";
    }

    private static String sentence(String s) {
        String t = String.valueOf(s).strip();
        return t.endsWith(".") ? t : t + ".";
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the size of " + p, e);
        }
    }

    /** @return e.g. {@code 786.2 MB}, {@code 1.1 GB}, {@code 512 B} (powers of 1000, as the Hub shows them) */
    static String human(long bytes) {
        if (bytes < 1000) {
            return bytes + " B";
        }
        String[] units = {"kB", "MB", "GB", "TB"};
        double v = bytes;
        int u = -1;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
