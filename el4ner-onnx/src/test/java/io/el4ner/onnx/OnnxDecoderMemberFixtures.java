package io.el4ner.onnx;

import io.el4ner.api.ChatMessage;
import io.el4ner.api.ChatRequest;
import io.el4ner.api.GenerationOptions;
import io.el4ner.api.Stage;
import io.el4ner.api.TaskContext;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * What the tests of the {@code onnx} member share: the tiny GQA fixture loaded once per class, requests, members
 * built with other settings, and the decoding loop's fault hook. Public for {@link #request}, which the
 * provider's tests use too.
 */
public abstract class OnnxDecoderMemberFixtures {
    static OnnxDecoderMember gqa;

    @BeforeAll
    static void load() {
        gqa = OnnxDecoderMember.builder().directory(DecoderFixtures.dir(DecoderFixtures.GQA)).build();
    }

    @AfterAll
    static void close() {
        gqa.close();
    }

    public static ChatRequest request(String sentence, int maxTokens) {
        return request(sentence, maxTokens, 0.0);
    }

    public static ChatRequest request(String sentence, int maxTokens, double temperature) {
        TaskContext context = new TaskContext(Stage.EXTRACTION, sentence, List.of(), List.of(), List.of(), List.of());
        return new ChatRequest(List.of(ChatMessage.system("Find the names in the sentence."),
                ChatMessage.user("Sentence: " + sentence)), new GenerationOptions(temperature, maxTokens, false),
                context);
    }

    /** Sets the decoding loop's test hook (package-private in the internal package) of a member. */
    static void faults(OnnxDecoderMember m, java.util.function.Consumer<String> hook) throws ReflectiveOperationException {
        java.lang.reflect.Field model = OnnxDecoderMember.class.getDeclaredField("model");
        model.setAccessible(true);
        Object decodingLoop = ((io.el4ner.onnx.internal.DecoderModel) model.get(m)).loop();
        java.lang.reflect.Field faults = decodingLoop.getClass().getDeclaredField("faults");
        faults.setAccessible(true);
        faults.set(decodingLoop, hook);
    }

    static OnnxDecoderMember member(java.util.function.UnaryOperator<OnnxDecoderMember.Builder> settings) {
        return settings.apply(OnnxDecoderMember.builder().directory(DecoderFixtures.dir(DecoderFixtures.GQA)))
                .build();
    }

    static List<String> texts(OnnxDecoderMember m, List<ChatRequest> requests) {
        return requests.stream().map(r -> m.chat(r).text()).toList();
    }
}
