package io.el4ner.core.internal.retrieval;

import static org.assertj.core.api.Assertions.assertThat;

import io.el4ner.api.ChatRequest;
import io.el4ner.api.ChatResponse;
import io.el4ner.api.Demonstration;
import io.el4ner.api.Stage;
import io.el4ner.api.TokenUsage;
import io.el4ner.api.spi.ModelMember;
import io.el4ner.core.EnsembleNer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The whole pipeline with the span-level retriever, found by name, and the test encoder found by name. */
class SpanSimPipelineTest {

    /** Pre-extracts "Merkel" and "Berlin", then finds nothing; records the requests. */
    static final class Member implements ModelMember {
        final List<ChatRequest> requests = Collections.synchronizedList(new ArrayList<>());

        @Override
        public String name() {
            return "m";
        }

        @Override
        public ChatResponse chat(ChatRequest request) {
            requests.add(request);
            String answer = request.context().stage() == Stage.PRE_EXTRACTION
                    ? "{\"entities\": [\"Merkel\", \"Berlin\"]}" : "{\"entities\": []}";
            return ChatResponse.of(answer, TokenUsage.UNREPORTED);
        }
    }

    @Test
    void recognize_showsTheDemonstrationsThatShareSpans() {
        Member m = new Member();
        List<Demonstration> pool = IndexFileTest.POOL;
        try (EnsembleNer ner = EnsembleNer.builder().entityType("X", "names")
                .member(m).demonstrations(pool).demonstrationCount(2)
                .retriever("span-sim", Map.of("encoder", Map.of("provider", "test-trigram"), "threads", 2))
                .build()) {
            ner.recognize("Yesterday Merkel arrived in Berlin.");
        }
        ChatRequest extraction = m.requests.stream().filter(r -> r.context().stage() == Stage.EXTRACTION)
                .findFirst().orElseThrow();
        // POLITICS has both spans, PARIS has "Merkel"
        assertThat(extraction.context().demonstrations()).containsExactly(pool.get(1), pool.get(4));
    }
}
