package io.el4ner.hub.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.UUID;

/**
 * The Hugging Face cache layout, the one {@code huggingface_hub} uses, under the hub cache directory:
 * <pre>
 * models--org--name/blobs/&lt;etag&gt;                      the content
 * models--org--name/blobs/&lt;etag&gt;.incomplete           a download under way (resumed from its size)
 * models--org--name/snapshots/&lt;commit&gt;/&lt;path&gt;        a relative link to ../../blobs/&lt;etag&gt; (a copy where links cannot be made)
 * models--org--name/refs/&lt;revision&gt;                   the commit the revision last resolved to
 * .locks/models--org--name/&lt;etag&gt;.lock               held while the blob is written
 * </pre>
 * Every name in a path has been checked by {@link Names} first. Snapshot entries and refs are replaced atomically,
 * so a reader never sees half of one.
 */
public final class CacheLayout {
    private static final Logger log = LoggerFactory.getLogger(CacheLayout.class);

    private final Path root;
    private final boolean symlinks;

    /**
     * @param root the hub cache directory ({@code HF_HUB_CACHE})
     * @param symlinks whether to link snapshot entries to blobs (false: copy them, as where links are impossible)
     */
    public CacheLayout(Path root, boolean symlinks) {
        this.root = root;
        this.symlinks = symlinks;
    }

    /** @return the hub cache directory */
    public Path root() {
        return root;
    }

    /** @return {@code models--org--name} */
    public static String folderName(String repo) {
        return "models--" + repo.replace("/", "--");
    }

    /** @return the repository's directory */
    public Path repoDir(String repo) {
        return root.resolve(folderName(repo));
    }

    /** @return the blob with that etag */
    public Path blob(String repo, String etag) {
        return repoDir(repo).resolve("blobs").resolve(etag);
    }

    /** @return the partial download of that blob */
    public Path incomplete(String repo, String etag) {
        return repoDir(repo).resolve("blobs").resolve(etag + ".incomplete");
    }

    /** @return the snapshot directory of a commit */
    public Path snapshot(String repo, String commit) {
        return repoDir(repo).resolve("snapshots").resolve(commit);
    }

    /** @return a file's entry in the snapshot of a commit */
    public Path snapshotFile(String repo, String commit, String file) {
        return snapshot(repo, commit).resolve(file);
    }

    /** @return the lock file of a blob */
    public Path lock(String repo, String etag) {
        return root.resolve(".locks").resolve(folderName(repo)).resolve(etag + ".lock");
    }

    private Path ref(String repo, String revision) {
        return repoDir(repo).resolve("refs").resolve(revision);
    }

    /**
     * @return the commit a revision is known to resolve to: the revision itself if it is a commit hash, else what
     *         {@code refs/<revision>} holds
     * @throws IOException if the ref exists but cannot be read
     */
    public Optional<String> commitOf(String repo, String revision) throws IOException {
        if (Names.isCommit(revision)) {
            return Optional.of(revision);
        }
        Path ref = ref(repo, revision);
        if (!Files.isRegularFile(ref) || Files.size(ref) > 1024) {
            return Optional.empty();
        }
        return Names.serverCommit(Files.readString(ref, StandardCharsets.UTF_8).strip());
    }

    /**
     * Records what a revision resolved to (nothing for a commit hash, as {@code huggingface_hub} does).
     *
     * @throws IOException if it cannot be written
     */
    public void writeRef(String repo, String revision, String commit) throws IOException {
        if (revision.equals(commit)) {
            return;
        }
        Path ref = ref(repo, revision);
        if (Optional.of(commit).equals(commitOf(repo, revision))) {
            return;
        }
        Files.createDirectories(ref.getParent());
        Path tmp = ref.resolveSibling(ref.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try {
            Files.writeString(tmp, commit, StandardCharsets.UTF_8);
            move(tmp, ref);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Makes a snapshot entry point at a blob: a relative symbolic link, or a copy where links cannot be made.
     *
     * @return the entry
     * @throws IOException if neither can be made
     */
    public Path link(String repo, String commit, String file, String etag) throws IOException {
        Path entry = snapshotFile(repo, commit, file);
        Path blob = blob(repo, etag);
        Files.createDirectories(entry.getParent());
        Path tmp = entry.resolveSibling(entry.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try {
            boolean linked = false;
            if (symlinks) {
                try {
                    Files.createSymbolicLink(tmp, entry.getParent().relativize(blob));
                    linked = true;
                } catch (UnsupportedOperationException | FileSystemException e) {
                    // Windows without developer mode, some network file systems: huggingface_hub copies too.
                    log.debug("Cannot link {} to {} ({}); copying it", entry, blob, e.toString());
                }
            }
            if (!linked) {
                Files.copy(blob, tmp, StandardCopyOption.REPLACE_EXISTING);
            }
            move(tmp, entry);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return entry;
    }

    /**
     * @return the etag of the blob a snapshot entry links to, if it is a link into {@code blobs/}
     */
    public Optional<String> linkedEtag(Path entry) {
        if (!Files.isSymbolicLink(entry)) {
            return Optional.empty();
        }
        try {
            Path target = Files.readSymbolicLink(entry);
            return Names.etag(target.getFileName().toString());
        } catch (IOException e) {
            log.debug("Cannot read the link {}: {}", entry, e.toString());
            return Optional.empty();
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * Turns a finished download into the blob, atomically.
     *
     * @throws IOException if it cannot be moved
     */
    public static void complete(Path incomplete, Path blob) throws IOException {
        move(incomplete, blob);
    }
}
