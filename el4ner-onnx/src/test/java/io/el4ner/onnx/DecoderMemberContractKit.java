package io.el4ner.onnx;

import io.el4ner.api.ChatMessage;
import io.el4ner.api.ChatRequest;
import io.el4ner.api.GenerationOptions;
import io.el4ner.api.spi.ModelMember;
import io.el4ner.tck.ModelMemberContractTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The el4ner-tck member contract for the {@code onnx} member on one fixture: one member shared by the tests, a fresh
 * one for the close test, a failing one of the subclass's choice, and a slow one: it decodes one call at a time
 * ({@code maxBatchSize 1}) and is kept busy by long answers that no end token stops, so that the kit's call waits
 * beyond its deadline. There is no secret to hide: the secret checks do not apply.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class DecoderMemberContractKit extends ModelMemberContractTest {
    private OnnxDecoderMember shared;
    /** Where the subclasses put damaged copies of the fixture. */
    @TempDir
    Path tmp;

    /** @return the fixture's name */
    abstract String fixture();

    /** @return a member of the fixture whose calls fail */
    abstract OnnxDecoderMember failing();

    @BeforeAll
    void load() {
        shared = OnnxDecoderMember.builder().directory(DecoderFixtures.dir(fixture())).build();
    }

    @AfterAll
    void release() {
        shared.close();
    }

    @Override
    protected ModelMember member() {
        return shared;
    }

    @Override
    protected ModelMember closeableMember() {
        return OnnxDecoderMember.builder().directory(DecoderFixtures.dir(fixture())).build();
    }

    @Override
    protected Optional<ModelMember> failingMember() {
        return Optional.of(failing());
    }

    @Override
    protected Duration callTimeout() {
        return Duration.ofSeconds(1);
    }

    @Override
    protected Optional<ModelMember> slowMember(Duration atLeast) {
        Path dir;
        try {
            dir = DecoderFixtures.copy(fixture(), tmp.resolve("slow-" + System.nanoTime()));
            // An end token beyond the vocabulary: answers run to their token limit.
            Files.writeString(dir.resolve("generation_config.json"), "{\"eos_token_id\": [1000000]}");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        OnnxDecoderMember busy = OnnxDecoderMember.builder().directory(dir).maxBatchSize(1).maxNewTokens(4000)
                .callTimeout(callTimeout()).build();
        ChatRequest longAnswer = new ChatRequest(List.of(ChatMessage.user("Go on.")),
                new GenerationOptions(1.0, 900, false), sampleRequest().context());
        long until = System.nanoTime() + atLeast.toNanos();
        Thread blockers = new Thread(() -> {
            while (System.nanoTime() < until) {
                try {
                    busy.chatAll(Collections.nCopies(4, longAnswer));
                } catch (RuntimeException e) {
                    return; // closed, or its own deadline
                }
            }
        });
        blockers.setDaemon(true);
        blockers.start();
        while (busy.stats().generatedTokens() == 0) {
            Thread.onSpinWait();
        }
        return Optional.of(busy);
    }
}
