package io.el4ner.openai;

import com.github.tomakehurst.wiremock.WireMockServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * Base of the tests that stub a fresh loopback WireMock server per test: started ({@link Stubs#server()}) before
 * the class, emptied before each test, stopped after the class. Test classes run one after another, so the one
 * static field serves each in turn.
 */
abstract class LoopbackServerTest {
    static WireMockServer server;

    @BeforeAll
    static void startServer() {
        server = Stubs.server();
    }

    @AfterAll
    static void stopServer() {
        server.stop();
    }

    @BeforeEach
    void resetServer() {
        server.resetAll();
    }
}
