package io.el4ner.tck;

import io.el4ner.api.spi.ModelMember;
import java.time.Duration;
import java.util.Optional;

/**
 * A second subclass of the member kit in the same project, as a user with two members has: its results must be
 * reported under its own class name, not merged with {@link EchoMemberContractTest}'s (see
 * {@link KitsReportUnderTheSubclassNameTest}). Every hook is set, so that no test is skipped.
 */
class SecondEchoMemberContractTest extends ModelMemberContractTest {
    private static final String SECRET = "sk-tck-second-0123456789";
    private static final Duration TIMEOUT = Duration.ofMillis(200);

    @Override
    protected ModelMember member() {
        return new EchoMember("second-echo", EchoMember.Mode.OK, Duration.ZERO, TIMEOUT, SECRET);
    }

    @Override
    protected Optional<ModelMember> failingMember() {
        return Optional.of(new EchoMember("second-echo", EchoMember.Mode.FAIL, Duration.ZERO, TIMEOUT, SECRET));
    }

    @Override
    protected Optional<ModelMember> slowMember(Duration atLeast) {
        return Optional.of(new EchoMember("second-echo", EchoMember.Mode.SLOW, atLeast, TIMEOUT, SECRET));
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
