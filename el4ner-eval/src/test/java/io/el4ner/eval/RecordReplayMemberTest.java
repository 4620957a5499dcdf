package io.el4ner.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.el4ner.api.ChatRequest;
import io.el4ner.api.ChatResponse;
import io.el4ner.api.Diagnostic;
import io.el4ner.api.El4nerConfigurationException;
import io.el4ner.api.NerResult;
import io.el4ner.api.NonRetriableBackendException;
import io.el4ner.api.Stage;
import io.el4ner.api.spi.ModelMember;
import io.el4ner.core.EnsembleNer;
import io.el4ner.core.ValidationMode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecordReplayMemberTest {
    @TempDir
    Path dir;

    private EnsembleNer ensemble(RecordReplayMember a, RecordReplayMember b) {
        return Scripts.base().member(a).member(b).build();
    }

    @Test
    void chat_recordedRun_replaysBitIdenticallyWithoutTheModels() {
        Path file = dir.resolve("answers.jsonl");
        ScriptedMember a = Scripts.good("a");
        ScriptedMember b = Scripts.good("b").extracts("{\"entities\": [\"Paris\"]}");
        NerResult recorded;
        try (EnsembleNer ner = ensemble(
                RecordReplayMember.builder(file).delegate(a).model("qwen-14b").parameters(Map.of("apiKey", "sk-xyz",
                        "temperature", 0)).build(),
                RecordReplayMember.builder(file).delegate(b).model("phi-4").build())) {
            recorded = ner.recognize(Scripts.S);
        }
        long calls = a.requests().size() + b.requests().size();
        assertThat(calls).isEqualTo(recorded.usage().totalCalls());

        RecordReplayMember ra = RecordReplayMember.builder(file).name("a").model("qwen-14b")
                .parameters(Map.of("apiKey", "another-key", "temperature", 0)).mode(RecordReplayMember.Mode.REPLAY)
                .build();
        RecordReplayMember rb = RecordReplayMember.builder(file).name("b").model("phi-4")
                .mode(RecordReplayMember.Mode.REPLAY).build();
        try (EnsembleNer ner = ensemble(ra, rb)) {
            NerResult replayed = ner.recognize(Scripts.S);
            assertThat(replayed.entities()).isEqualTo(recorded.entities());
            assertThat(replayed.diagnostics()).isEqualTo(recorded.diagnostics());
            assertThat(replayed.usage().totalTokens()).isEqualTo(recorded.usage().totalTokens());
        }
        assertThat(a.requests().size() + b.requests().size()).isEqualTo(calls); // no model was asked again
    }

    /** A member's truncated answer is reported as a diagnostic, and a replay reports it again. */
    @Test
    void chat_truncatedAnswer_reportedAndReplayedAsTruncated() {
        Path file = dir.resolve("answers.jsonl");
        ScriptedMember scripted = Scripts.good("a");
        ModelMember cut = new ModelMember() {
            @Override
            public String name() {
                return "a";
            }

            @Override
            public ChatResponse chat(ChatRequest request) {
                ChatResponse r = scripted.chat(request);
                return request.context().stage() == Stage.EXTRACTION ? new ChatResponse(r.text(), r.usage(),
                        r.model(), "it reached its limit of 8 new tokens; closed after its last whole item") : r;
            }
        };
        NerResult recorded;
        try (EnsembleNer ner = Scripts.base().member(RecordReplayMember.builder(file).delegate(cut).build())
                .build()) {
            recorded = ner.recognize(Scripts.S);
        }
        assertThat(recorded.diagnostics()).filteredOn(d -> d.kind() == Diagnostic.Kind.TRUNCATED_ANSWER)
                .singleElement().satisfies(d -> {
                    assertThat(d.stage()).isEqualTo(Stage.EXTRACTION);
                    assertThat(d.member()).isEqualTo("a");
                    assertThat(d.message()).isEqualTo("member 'a': it reached its limit of 8 new tokens; closed after "
                            + "its last whole item");
                });
        assertThat(recorded.degraded()).as("a truncated answer is still an answer").isFalse();
        try (EnsembleNer ner = Scripts.base().member(RecordReplayMember.builder(file).name("a")
                .mode(RecordReplayMember.Mode.REPLAY).build()).build()) {
            assertThat(ner.recognize(Scripts.S).diagnostics()).isEqualTo(recorded.diagnostics());
        }
    }

    @Test
    void chat_recording_writesReadableJsonLinesWithoutSecrets() throws IOException {
        Path file = dir.resolve("answers.jsonl");
        try (EnsembleNer ner = Scripts.base().member(RecordReplayMember.builder(file)
                .delegate(Scripts.good("a")).parameters(Map.of("apiKey", "sk-secret-123",
                        "headers", Map.of("Authorization", "Bearer zzz"))).build()).build()) {
            ner.recognize(Scripts.S);
        }
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(3).allSatisfy(l -> assertThat(l).startsWith("{\"key\":\"")
                .contains("\"member\":\"a\"").contains("\"response\":{"));
        String all = Files.readString(file);
        assertThat(all).doesNotContain("sk-secret-123").doesNotContain("apiKey").doesNotContain("zzz");
    }

    @Test
    void chat_differentModelOrPrompt_isAMiss() {
        Path file = dir.resolve("answers.jsonl");
        try (EnsembleNer ner = Scripts.base().member(RecordReplayMember.builder(file)
                .delegate(Scripts.good("a")).model("m1").build()).build()) {
            ner.recognize(Scripts.S);
        }
        RecordReplayMember other = RecordReplayMember.builder(file).name("a").model("m2")
                .mode(RecordReplayMember.Mode.REPLAY).build();
        assertThat(other.recorded()).isEqualTo(3); // loaded, but keyed under m1
        try (EnsembleNer ner = Scripts.base().member(other).build()) {
            assertThatThrownBy(() -> ner.recognize(Scripts.S))
                    .hasMessageContaining("no member answered the EXTRACTION stage");
        }
        RecordReplayMember same = RecordReplayMember.builder(file).name("a").model("m1")
                .mode(RecordReplayMember.Mode.REPLAY).build();
        try (EnsembleNer ner = Scripts.base().member(same).build()) {
            assertThatThrownBy(() -> ner.recognize("A sentence never recorded."))
                    .hasMessageContaining("no member answered");
        }
        RecordReplayMember direct = RecordReplayMember.builder(file).name("a").model("m1")
                .mode(RecordReplayMember.Mode.REPLAY).build();
        ScriptedMember probe = Scripts.good("a");
        try (EnsembleNer ner = Scripts.base().member(probe).validation(ValidationMode.NONE).build()) {
            ner.recognize("Another text.");
        }
        assertThatThrownBy(() -> direct.chat(probe.requests().get(0)))
                .isInstanceOf(NonRetriableBackendException.class).hasMessageContaining("no recorded answer")
                .hasMessageContaining(Stage.EXTRACTION.toString());
    }

    @Test
    void build_tornLastLine_skippedAndRecordingResumes() throws IOException {
        Path file = dir.resolve("answers.jsonl");
        ScriptedMember a = Scripts.good("a");
        try (EnsembleNer ner = Scripts.base().member(RecordReplayMember.builder(file).delegate(a).build())
                .build()) {
            ner.recognize(Scripts.S);
        }
        Files.writeString(file, "{\"key\":\"abc\",\"member\":\"a\",\"resp", StandardOpenOption.APPEND);
        RecordReplayMember resumed = RecordReplayMember.builder(file).delegate(a).build();
        assertThat(resumed.recorded()).isEqualTo(3);
        Files.writeString(file, "\nnot json\n{\"key\":\"k\",\"member\":\"a\",\"response\":{\"text\":\"x\"}}\n",
                StandardOpenOption.APPEND);
        assertThatThrownBy(() -> RecordReplayMember.builder(file).delegate(a).build())
                .isInstanceOf(El4nerConfigurationException.class).hasMessageContaining(file + ": line 4 is not JSON");
    }

    /**
     * A line torn inside a multi-byte character is skipped on load, and cut off before the next answer is
     * appended, so that answer is never glued onto it (which would damage the file for every later load).
     */
    @Test
    void chat_lineTornInsideAMultiByteCharacter_cutOffBeforeRecordingAppends() throws IOException {
        Path file = dir.resolve("answers.jsonl");
        ScriptedMember a = Scripts.good("a");
        try (EnsembleNer ner = Scripts.base().member(RecordReplayMember.builder(file).delegate(a).build())
                .build()) {
            ner.recognize(Scripts.S);
        }
        byte[] whole = Files.readAllBytes(file);
        byte[] torn = "{\"key\":\"abc\",\"member\":\"a\",\"response\":{\"text\":\"5".getBytes(StandardCharsets.UTF_8);
        Files.write(file, torn, StandardOpenOption.APPEND);
        Files.write(file, new byte[] {(byte) 0xE2, (byte) 0x82}, StandardOpenOption.APPEND); // 2 of €'s 3 bytes
        RecordReplayMember resumed = RecordReplayMember.builder(file).delegate(a).build();
        assertThat(resumed.recorded()).isEqualTo(3);
        try (EnsembleNer ner = Scripts.base().member(resumed).build()) {
            ner.recognize("Bob met Carol in Rome.");
        }
        byte[] after = Files.readAllBytes(file);
        assertThat(java.util.Arrays.copyOf(after, whole.length)).isEqualTo(whole);
        assertThat(new String(after, StandardCharsets.UTF_8)).doesNotContain("abc").endsWith("}\n");
        RecordReplayMember replay = RecordReplayMember.builder(file).name("a").mode(RecordReplayMember.Mode.REPLAY)
                .build();
        assertThat(replay.recorded()).isGreaterThan(3);
    }

    @Test
    void chat_concurrentRecording_writesWholeLines() throws Exception {
        Path file = dir.resolve("answers.jsonl");
        RecordReplayMember rec = RecordReplayMember.builder(file).delegate(Scripts.good("a")).build();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try (EnsembleNer ner = Scripts.base().member(rec).validation(ValidationMode.NONE).build()) {
            List<Future<NerResult>> fs = new java.util.ArrayList<>();
            for (int i = 0; i < 40; i++) {
                String text = "Paris number " + i + " welcomed Angela Merkel.";
                fs.add(pool.submit(() -> ner.recognize(text)));
            }
            for (Future<NerResult> f : fs) {
                f.get(10, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        assertThat(lines).hasSize(80);
        assertThat(RecordReplayMember.builder(file).name("a").mode(RecordReplayMember.Mode.REPLAY).build().recorded())
                .isEqualTo(80);
    }

    @Test
    void provider_member_wrapsAnotherProviderForConfigFiles() throws IOException {
        Path file = dir.resolve("answers.jsonl");
        Path predictions = dir.resolve("predictions.jsonl");
        Files.writeString(predictions, "{\"text\":\"We flew to Paris.\",\"entities\":[{\"start\":11,\"end\":16,"
                + "\"type\":\"LOC\"}]}\n", StandardCharsets.UTF_8);
        Map<String, Object> inner = Map.of("provider", "replay-predictions",
                "parameters", Map.of("file", predictions.toString()));
        NerResult recorded;
        try (EnsembleNer ner = EnsembleNer.builder().entityType("LOC", "places").member("record-replay",
                Map.of("name", "one", "file", file.toString(), "member", inner)).build()) {
            recorded = ner.recognize("We flew to Paris.");
        }
        assertThat(recorded.entities()).hasSize(1);
        try (EnsembleNer ner = EnsembleNer.builder().entityType("LOC", "places").member("record-replay",
                Map.of("name", "one", "file", file.toString(), "mode", "replay")).build()) {
            // replay keys include the wrapped member's parameters; without them this is another member
            assertThatThrownBy(() -> ner.recognize("We flew to Paris.")).hasMessageContaining("no member answered");
        }
        try (EnsembleNer ner = EnsembleNer.builder().entityType("LOC", "places").member("record-replay",
                Map.of("name", "one", "file", file.toString(), "mode", "replay", "member", inner)).build()) {
            assertThat(ner.recognize("We flew to Paris.").entities()).isEqualTo(recorded.entities());
        }
        assertThatThrownBy(() -> EnsembleNer.builder().entityType("LOC", "").member("record-replay",
                Map.of("name", "one", "file", file.toString(), "mode", "sometimes")).build())
                .hasMessageContaining("'mode'");
    }

    @Test
    void build_missingDelegateOrNameOrFile_throws() {
        Path file = dir.resolve("none.jsonl");
        assertThatThrownBy(() -> RecordReplayMember.builder(file).build())
                .isInstanceOf(El4nerConfigurationException.class).hasMessageContaining("delegate");
        assertThatThrownBy(() -> RecordReplayMember.builder(file).mode(RecordReplayMember.Mode.REPLAY).build())
                .hasMessageContaining("name");
        assertThatThrownBy(() -> RecordReplayMember.builder(file).name("a").mode(RecordReplayMember.Mode.REPLAY)
                .build()).hasMessageContaining("no recorded answers");
    }
}
