package io.el4ner.core.internal.pipeline;

import io.el4ner.api.EntityType;
import io.el4ner.core.internal.exec.MemberInvoker;
import io.el4ner.core.internal.llm.Prompts;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;

/** What the stage tests share: a label set, the default prompts and an invoker that calls members inline. */
final class StageFixtures {
    static final String SENTENCE = "Angela Merkel met Emmanuel Macron in Paris.";
    static final List<EntityType> TYPES = List.of(new EntityType("PER", "people"), new EntityType("LOC", "places"));
    static final Prompts PROMPTS = Prompts.defaults();

    private StageFixtures() {
    }

    static MemberInvoker invoker() {
        Executor inline = Runnable::run;
        return new MemberInvoker(inline, 4, Duration.ofSeconds(10));
    }
}
