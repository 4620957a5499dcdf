package io.el4ner.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The browser runner's timeout: a browser that hangs is killed, with the processes it started. */
class HeadlessBrowserTest {
    @TempDir
    Path dir;

    @Test
    void run_hangingBrowser_killedWithItsChildrenAtTheTimeout() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/bin/sh")), "needs a POSIX shell");
        Path pidFile = dir.resolve("child.pid");
        Path fake = dir.resolve("fake-browser");
        Files.writeString(fake, "#!/bin/sh\nsleep 300 &\necho $! > '" + pidFile + "'\nsleep 300\n",
                StandardCharsets.UTF_8);
        assertThat(fake.toFile().setExecutable(true)).isTrue();
        Path page = dir.resolve("page.html");
        Files.writeString(page, "<p>x</p>", StandardCharsets.UTF_8);

        long start = System.nanoTime();
        assertThatThrownBy(() -> HeadlessBrowser.of(fake, dir, 2).dumpDom(page)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("did not finish within 2 s; killed");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
        long child = Long.parseLong(Files.readString(pidFile).strip());
        var handle = ProcessHandle.of(child);
        if (handle.isPresent()) {
            handle.get().onExit().get(10, TimeUnit.SECONDS);
        }
        assertThat(ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    }

    @Test
    void run_browserThatExits_returnsItsOutput() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/bin/sh")), "needs a POSIX shell");
        Path fake = dir.resolve("fake-browser");
        Files.writeString(fake, "#!/bin/sh\nfor a in \"$@\"; do last=$a; done\necho \"<html>$last</html>\"\n",
                StandardCharsets.UTF_8);
        assertThat(fake.toFile().setExecutable(true)).isTrue();
        Path page = dir.resolve("page.html");
        HeadlessBrowser.Result r = HeadlessBrowser.of(fake, dir, 20).dumpDom(page);
        assertThat(r.exit()).isZero();
        assertThat(r.stdout().strip()).isEqualTo("<html>" + page.toUri() + "</html>");
    }
}
