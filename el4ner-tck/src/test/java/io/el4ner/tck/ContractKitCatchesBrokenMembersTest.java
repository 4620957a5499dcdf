package io.el4ner.tck;

import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNoException;

import io.el4ner.api.ChatRequest;
import io.el4ner.api.ChatResponse;
import io.el4ner.api.NonRetriableBackendException;
import io.el4ner.api.spi.ModelMember;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Shows that the kit's checks fail on members that break the contract, and pass on one that keeps it. */
class ContractKitCatchesBrokenMembersTest {
    private static final String SECRET = "sk-tck-0123456789abcdef";

    /** A kit run by hand: its tests are not discovered, only its checks called. */
    private static ModelMemberContractTest kitFor(ModelMember member) {
        return new ModelMemberContractTest() {
            @Override
            protected ModelMember member() {
                return member;
            }

            @Override
            protected Optional<String> secret() {
                return Optional.of(SECRET);
            }
        };
    }

    private static ModelMember failingWith(RuntimeException e) {
        return new ModelMember() {
            @Override
            public String name() {
                return "broken";
            }

            @Override
            public ChatResponse chat(ChatRequest request) {
                throw e;
            }
        };
    }

    @Test
    void checkFailureMapping_illegalStateExceptionInsteadOfModelMemberException_fails() {
        ModelMember broken = failingWith(new IllegalStateException("connection refused"));
        assertThatExceptionOfType(AssertionError.class)
                .isThrownBy(() -> kitFor(broken).checkFailureMapping(broken))
                .withMessageContaining("IllegalStateException");
    }

    @Test
    void checkFailureMapping_secretInMessage_fails() {
        ModelMember leaky = failingWith(new NonRetriableBackendException("broken", "bad key " + SECRET));
        assertThatExceptionOfType(AssertionError.class)
                .isThrownBy(() -> kitFor(leaky).checkFailureMapping(leaky))
                .withMessageContaining("message of");
    }

    @Test
    void checkFailureMapping_wellBehavedMember_passes() {
        ModelMember good = failingWith(new NonRetriableBackendException("broken", "backend rejected the key"));
        assertThatNoException().isThrownBy(() -> kitFor(good).checkFailureMapping(good));
    }
}
