package io.el4ner.core.internal.assembly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.el4ner.api.El4nerConfigurationException;
import io.el4ner.core.EnsembleNer;
import io.el4ner.core.ScriptedMember;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnsembleSpecTest {
    @Test
    void problems_duplicateMemberNamesAndTypes_reportedTogetherBeforeAnyMemberIsCreated() {
        El4nerConfigurationException e = catchThrowableOfType(() -> EnsembleNer.builder()
                .entityType("person", "a person").entityType("person", "again")
                .member("test-fixed", Map.of("name", "m1"))
                .member("no-such-provider", Map.of("name", "m1"))
                .build(), El4nerConfigurationException.class);

        // the unknown provider is never looked up: the settings' problems come first, all at once
        assertThat(e.problems()).containsExactly(
                "entity type 'person' is given twice",
                "two members are named 'm1'; member names must be unique");
    }

    @Test
    void problems_givenMembersWithOneName_reportedAsDuplicate() {
        El4nerConfigurationException e = catchThrowableOfType(() -> EnsembleNer.builder()
                .entityType("person", "a person")
                .member(new ScriptedMember("same")).member(new ScriptedMember("same"))
                .build(), El4nerConfigurationException.class);

        assertThat(e.problems()).containsExactly("two members are named 'same'; member names must be unique");
    }
}
