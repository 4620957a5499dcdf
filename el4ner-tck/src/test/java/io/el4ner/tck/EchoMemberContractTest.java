package io.el4ner.tck;

import io.el4ner.api.spi.ModelMember;
import java.time.Duration;
import java.util.Optional;

class EchoMemberContractTest extends ModelMemberContractTest {
    private static final String SECRET = "sk-tck-0123456789abcdef";
    private static final Duration TIMEOUT = Duration.ofMillis(200);

    @Override
    protected ModelMember member() {
        return new EchoMember("echo", EchoMember.Mode.OK, Duration.ZERO, TIMEOUT, SECRET);
    }

    @Override
    protected Optional<ModelMember> failingMember() {
        return Optional.of(new EchoMember("echo", EchoMember.Mode.FAIL, Duration.ZERO, TIMEOUT, SECRET));
    }

    @Override
    protected Optional<ModelMember> slowMember(Duration atLeast) {
        return Optional.of(new EchoMember("echo", EchoMember.Mode.SLOW, atLeast, TIMEOUT, SECRET));
    }

    @Override
    protected Duration callTimeout() {
        return TIMEOUT;
    }

    @Override
    protected Optional<String> secret() {
        return Optional.of(SECRET);
    }
}
