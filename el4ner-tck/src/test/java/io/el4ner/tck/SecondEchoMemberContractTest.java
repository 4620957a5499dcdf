package io.el4ner.tck;

import io.el4ner.api.spi.ModelMember;

/**
 * A second subclass of the member kit in the same project, as a user with two members has: its results must be
 * reported under its own class name, not merged with {@link EchoMemberContractTest}'s (see
 * {@link KitsReportUnderTheSubclassNameTest}).
 */
class SecondEchoMemberContractTest extends ModelMemberContractTest {
    @Override
    protected ModelMember member() {
        return EchoMember.ok("second-echo");
    }
}
