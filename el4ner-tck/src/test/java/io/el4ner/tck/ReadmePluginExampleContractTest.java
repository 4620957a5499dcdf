package io.el4ner.tck;

import io.el4ner.api.spi.ModelMember;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The README's plugin example passes the contract kit, as the README tells plugin authors to check. */
class ReadmePluginExampleContractTest extends ModelMemberContractTest {
    private static PlainTextServer server;

    @BeforeAll
    static void startServer() throws IOException {
        server = PlainTextServer.start();
    }

    @AfterAll
    static void stopServer() {
        server.stop();
    }

    @Override
    protected ModelMember member() {
        return ReadmePluginExampleTest.member(server, "/ok", 1);
    }

    @Override
    protected Optional<ModelMember> failingMember() {
        return Optional.of(ReadmePluginExampleTest.member(server, "/denied", 1));
    }

    @Override
    protected Optional<ModelMember> slowMember(Duration atLeast) {
        return Optional.of(ReadmePluginExampleTest.member(server, "/slow?ms=" + atLeast.toMillis(), 1));
    }

    @Override
    protected Duration callTimeout() {
        return Duration.ofSeconds(1);
    }

    /** The failing member's server echoes a key in its body: the member's exceptions must not pass it on. */
    @Override
    protected Optional<String> secret() {
        return Optional.of(PlainTextServer.ECHOED_KEY);
    }

    @Override
    protected boolean reportsUsage() {
        return false;
    }
}
