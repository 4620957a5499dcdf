package io.el4ner.eval;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A Chromium-family browser run headless, one process per call, bounded by a timeout after which it and every
 * process it started are killed.
 */
final class HeadlessBrowser {
    /** The binaries looked for on the PATH, in this order. */
    static final List<String> NAMES = List.of("chromium", "chromium-browser", "google-chrome", "google-chrome-stable");
    /** The environment variable that turns a missing browser into a failure (set by CI). */
    static final String REQUIRE = "EL4NER_REQUIRE_BROWSER";

    private final Path binary;
    private final Path work;
    private final long timeoutSeconds;

    private HeadlessBrowser(Path binary, Path work, long timeoutSeconds) {
        this.binary = binary;
        this.work = work;
        this.timeoutSeconds = timeoutSeconds;
    }

    /** @return the first of {@link #NAMES} found as an executable on the PATH */
    static Optional<Path> find() {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String name : NAMES) {
            for (String d : path.split(File.pathSeparator)) {
                if (d.isEmpty()) {
                    continue;
                }
                Path p = Path.of(d, name);
                if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                    return Optional.of(p);
                }
            }
        }
        return Optional.empty();
    }

    static HeadlessBrowser of(Path binary, Path work, long timeoutSeconds) {
        return new HeadlessBrowser(binary, work, timeoutSeconds);
    }

    /** What one run of the browser left: exit code, stdout and stderr. */
    record Result(int exit, String stdout, String stderr) {
    }

    /**
     * @param page the page to load
     * @return the DOM after loading, serialised by the browser ({@code --dump-dom})
     */
    Result dumpDom(Path page) throws IOException, InterruptedException {
        return run("dom", List.of("--dump-dom", page.toUri().toString()));
    }

    /**
     * @param page the page to load
     * @param png where to write the screenshot
     * @param width the window's width in CSS pixels
     * @param height the window's height
     */
    Result screenshot(Path page, Path png, int width, int height) throws IOException, InterruptedException {
        return run("shot", List.of("--screenshot=" + png.toAbsolutePath(), "--window-size=" + width + "," + height,
                "--hide-scrollbars", "--force-device-scale-factor=1", page.toUri().toString()));
    }

    private Result run(String name, List<String> args) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory(work, name + "-profile");
        Path out = work.resolve(name + ".out");
        Path err = work.resolve(name + ".err");
        List<String> command = new ArrayList<>(List.of(binary.toString(), "--headless", "--no-sandbox",
                "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check",
                "--disable-extensions", "--disable-background-networking", "--disable-sync", "--mute-audio",
                "--user-data-dir=" + profile.toAbsolutePath()));
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File(System.getProperty("os.name").startsWith("Windows")
                        ? "NUL" : "/dev/null")));
        pb.environment().put("HOME", work.toAbsolutePath().toString()); // no writes to the real profile folders
        Process p = pb.start();
        List<ProcessHandle> children = new ArrayList<>();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
            while (!p.waitFor(200, TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(h -> {
                    if (!children.contains(h)) {
                        children.add(h);
                    }
                });
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(binary + " " + name + " did not finish within " + timeoutSeconds
                            + " s; killed. stderr: " + tail(err));
                }
            }
        } finally {
            // the browser and every process it started, whether it finished, timed out or we were interrupted
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            children.forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), tail(err));
    }

    private static String tail(Path file) throws IOException {
        if (!Files.exists(file)) {
            return "";
        }
        String s = Files.readString(file, StandardCharsets.UTF_8);
        return s.length() <= 4000 ? s : "…" + s.substring(s.length() - 4000);
    }
}
