package io.el4ner.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.el4ner.api.ChatRequest;
import io.el4ner.api.Demonstration;
import io.el4ner.api.Diagnostic;
import io.el4ner.api.El4nerException;
import io.el4ner.api.Entity;
import io.el4ner.api.LabeledSpan;
import io.el4ner.api.NerResult;
import io.el4ner.api.Redaction;
import io.el4ner.api.Stage;
import io.el4ner.api.TypedSpan;
import io.el4ner.api.Graphemes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 10's fuzz test: seeded hostile answers in every stage through the real pipeline. Sentences mix scripts,
 * emoji ZWJ sequences, flags, skin tones, combining marks, surrogate pairs, CJK and right-to-left text; scripted
 * members answer with garbage, truncated JSON, huge items, spans that are not in the sentence or cut a visible
 * character, wrong types, NaN-ish numbers, enormous lists, a planted secret echoed everywhere, or throw.
 *
 * <p>Every case must hold: no crash (a result, or an {@link El4nerException}); every entity's text is its range of
 * the sentence and its range is on visible-character boundaries; the planted secret appears nowhere in what leaves
 * el4ner; the diagnostics stay within ten times the answers' size plus a constant. Seed and count can be changed
 * with {@code -Del4ner.fuzz.seed} and {@code -Del4ner.fuzz.cases}.
 */
class HostileAnswerFuzzTest {
    static final long SEED = Long.getLong("el4ner.fuzz.seed", 20261202L);
    static final int CASES = Integer.getInteger("el4ner.fuzz.cases", 5000);
    static final String SECRET = "sk-fuzz-PLANTED-3f9c2e71b0a4d8";
    static final long DIAGNOSTIC_CONSTANT = 60_000;

    static final String[] WORDS = {"Angela", "Merkel", "Paris", "Berlin", "the", "met", "in", "and", "O'Neil",
        "Cafe\u0301", "Noir", "𝒳avier", "😀Bob", "👩\u200d👩\u200d👧", "👍🏽", "🇫🇷🇩🇪", "❤\ufe0f", "北京", "习近平",
        "普京。", "القاهرة", "محمد", "ירושלים", "München", "\u1100\u1161\u11a8", "São", "Zoë", "e\u0301e\u0301",
        "🏴\udb40\udc67\udb40\udc62\udb40\udc65\udb40\udc6e\udb40\udc67\udb40\udc7f", "New", "York", "IBM", "(", ")",
        ",", ".", "\"", "x\u200dy", "ﾃﾞ", "1,000", "Dr.", "🧑🏿\u200d💻"};
    static final String[] LABELS = {"PER", "LOC", "ORG", "NONE", "per", "B-PER", "I-LOC", "MISC", "", "null",
        "O", SECRET, "PER\u0000", "💥"};

    static Redaction.Registration registration;

    @BeforeAll
    static void plant() {
        registration = Redaction.register(SECRET);
    }

    @AfterAll
    static void unplant() {
        registration.close();
    }

    /** What happened in one case, filled by the members from pool threads. */
    static final class Case {
        final long seed;
        final AtomicLong answerChars = new AtomicLong();
        final AtomicLong answers = new AtomicLong();

        Case(long seed) {
            this.seed = seed;
        }

        Random random(String member, Stage stage) {
            return new Random(seed * 31 + member.hashCode() * 7L + stage.ordinal());
        }
    }

    static volatile Case current;

    static String sentence(Random r) {
        StringBuilder b = new StringBuilder();
        int n = 1 + r.nextInt(14);
        for (int i = 0; i < n; i++) {
            if (i > 0 && r.nextInt(8) != 0) {
                b.append(r.nextInt(20) == 0 ? "\u00a0" : " ");
            }
            b.append(WORDS[r.nextInt(WORDS.length)]);
        }
        String s = b.toString();
        return s.isBlank() ? "Paris" : s;
    }

    static String json(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }

    /** A span string a hostile model might return for this sentence. */
    static String span(Random r, String sentence) {
        switch (r.nextInt(10)) {
            case 0, 1, 2: { // a whole word run
                String[] words = sentence.split(" ");
                int from = r.nextInt(words.length);
                int to = Math.min(words.length, from + 1 + r.nextInt(3));
                return String.join(" ", java.util.Arrays.copyOfRange(words, from, to));
            }
            case 3, 4: { // any substring: cuts surrogate pairs, ZWJ sequences, words
                int a = r.nextInt(sentence.length());
                int b = a + 1 + r.nextInt(Math.min(12, sentence.length() - a));
                return sentence.substring(a, b);
            }
            case 5:
                return "Authorization: Bearer " + SECRET;
            case 6:
                return "Invented Person";
            case 7:
                return "x".repeat(r.nextInt(5_000));
            case 8:
                return "  " + sentence.substring(0, Math.min(sentence.length(), r.nextInt(6) + 1)).toUpperCase()
                        + " ".repeat(r.nextInt(300)) + ".";
            default:
                return "\"" + WORDS[r.nextInt(WORDS.length)] + "\"";
        }
    }

    static String junk(Random r) {
        return switch (r.nextInt(14)) {
            case 0 -> "1";
            case 1 -> "NaN";
            case 2 -> "Infinity";
            case 3 -> "1e999";
            case 4 -> "-0.0";
            case 5 -> "null";
            case 6 -> "true";
            case 7 -> "{\"x\": " + SECRET.length() + "}";
            case 8 -> "[[[[1]]]]";
            case 9 -> "{\"span\": 42}";
            case 10 -> "{\"text\": " + json(SECRET) + ", \"type\": {\"nested\": [1, 2]}}";
            case 11 -> "[" + json("Paris") + "]";
            case 12 -> "\"\"";
            default -> "{}";
        };
    }

    /** A hostile answer for the request: shape and content by the case's random. */
    static String answer(Random r, ChatRequest request) {
        String sentence = request.context().sentence();
        Stage stage = request.context().stage();
        List<String> items = new ArrayList<>();
        int n = r.nextInt(r.nextInt(80) == 0 ? 3_000 : 8);
        for (int i = 0; i < n; i++) {
            items.add(item(r, stage, sentence, request));
        }
        String body = switch (stage) {
            case PRE_EXTRACTION, EXTRACTION -> "{\"entities\": [" + String.join(", ", items) + "]}";
            case CLASSIFICATION -> "{\"labels\": [" + String.join(", ", items) + "]}";
            case VALIDATION -> "{\"verdicts\": [" + String.join(", ", items) + "]}";
        };
        return switch (r.nextInt(16)) {
            case 0 -> body.substring(0, r.nextInt(body.length() + 1)); // truncated
            case 1 -> "Sure! Here it is, with my key " + SECRET + ":\n```json\n" + body + "\n```\nAnything else?";
            case 2 -> garbage(r);
            case 3 -> "- " + String.join("\n- ", items.stream().map(x -> x.replace("\"", "")).toList());
            case 4 -> "[" + "1,".repeat(r.nextInt(r.nextInt(10) == 0 ? 20_000 : 200)) + "1]";
            case 5 -> "[".repeat(r.nextInt(r.nextInt(10) == 0 ? 5_000 : 100)) + body;
            case 6 -> String.join("\n", items.stream().map(x -> x + ": " + (r.nextBoolean() ? "true" : "PER"))
                    .toList());
            case 7 -> "[CLS]" + String.join("[SEP]", items) + "[SEP]";
            case 8 -> body.replace("\"", "'");
            case 9 -> "Authorization: Bearer " + SECRET;
            case 10 -> "{\"entities\": " + json(SECRET) + ", \"" + SECRET + "\": [" + SECRET + "]}";
            default -> body;
        };
    }

    static String item(Random r, Stage stage, String sentence, ChatRequest request) {
        if (r.nextInt(6) == 0) {
            return junk(r);
        }
        switch (stage) {
            case PRE_EXTRACTION, EXTRACTION:
                return r.nextBoolean() ? json(span(r, sentence))
                        : "{\"span\": " + json(span(r, sentence)) + ", \"type\": " + json(label(r)) + "}";
            case CLASSIFICATION: {
                List<String> asked = request.context().spans();
                String s = asked.isEmpty() || r.nextInt(5) == 0 ? span(r, sentence)
                        : asked.get(r.nextInt(asked.size()));
                return r.nextInt(8) == 0 ? "[" + json(s) + ", null]"
                        : "{\"span\": " + json(s) + ", \"type\": " + (r.nextInt(10) == 0 ? "null" : json(label(r)))
                                + "}";
            }
            default: {
                List<TypedSpan> asked = request.context().typedSpans();
                TypedSpan t = asked.isEmpty() ? new TypedSpan(span(r, sentence), "PER")
                        : asked.get(r.nextInt(asked.size()));
                String valid = switch (r.nextInt(6)) {
                    case 0 -> "\"yes\"";
                    case 1 -> "\"untrue\"";
                    case 2 -> "1";
                    case 3 -> json(SECRET);
                    case 4 -> "false";
                    default -> "true";
                };
                return "{\"span\": " + json(r.nextInt(6) == 0 ? span(r, sentence) : t.text()) + ", \"type\": "
                        + json(r.nextInt(6) == 0 ? label(r) : t.type()) + ", \"valid\": " + valid + "}";
            }
        }
    }

    static String label(Random r) {
        return LABELS[r.nextInt(LABELS.length)];
    }

    static String garbage(Random r) {
        int n = r.nextInt(r.nextInt(50) == 0 ? 50_000 : 200);
        StringBuilder b = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            int kind = r.nextInt(10);
            b.append(switch (kind) {
                case 0 -> (char) r.nextInt(0x20);
                case 1 -> (char) (0xD800 + r.nextInt(0x800)); // lone surrogates
                case 2 -> "[{\"'`*!:\n-\t".charAt(r.nextInt(12));
                case 3 -> "\u200d";
                case 4 -> "```";
                default -> (char) (0x20 + r.nextInt(0x7F - 0x20));
            });
        }
        return b.toString();
    }

    /** A member whose answers come from the current case; sometimes it throws, echoing the secret. */
    static ScriptedMember member(String name) {
        Function<ChatRequest, String> f = request -> {
            Case c = current;
            Random r = c.random(name, request.context().stage());
            if (r.nextInt(25) == 0) {
                throw new IllegalStateException("backend said: invalid key " + SECRET);
            }
            String a = answer(r, request);
            c.answerChars.addAndGet(a.length());
            c.answers.incrementAndGet();
            return a;
        };
        ScriptedMember m = new ScriptedMember(name).extracts(f).on(Stage.CLASSIFICATION, f)
                .on(Stage.VALIDATION, f);
        return m;
    }

    static List<EnsembleNer> ensembles() {
        Demonstration demo = new Demonstration("Olaf Scholz visited Rome.",
                List.of(new LabeledSpan(0, 11, "PER"), new LabeledSpan(20, 24, "LOC")));
        return List.of(
                EnsembleFixtures.base().member(member("a")).member(member("b")).timeout(Duration.ofSeconds(20))
                        .build(),
                EnsembleFixtures.base().member(member("a")).member(member("b")).member(member("c"))
                        .validation(ValidationMode.MAJORITY).nestedEntities(true)
                        .memberWeights(Map.of("a", 1e308, "b", 1e308, "c", 1e308)).timeout(Duration.ofSeconds(20))
                        .build(),
                EnsembleFixtures.base().member(member("a")).member(member("b")).demonstrations(List.of(demo))
                        .retriever((s, spans, k) -> List.of(demo)).validation(ValidationMode.UNANIMOUS)
                        .extractionQuorum(2).timeout(Duration.ofSeconds(20)).build());
    }

    @Test
    void recognize_seededHostileAnswers_neverCrashesLeaksOrMisplacesAnEntity() {
        List<EnsembleNer> ensembles = ensembles();
        Random cases = new Random(SEED);
        long answers = 0;
        long entities = 0;
        long failures = 0;
        long worstDiagnostics = 0;
        long digest = 17; // of every entity's case, range and type: compare runs on different JDKs
        long t0 = System.nanoTime();
        try {
            for (int i = 0; i < CASES; i++) {
                long caseSeed = cases.nextLong();
                Random r = new Random(caseSeed);
                String sentence = sentence(r);
                EnsembleNer ner = ensembles.get(r.nextInt(ensembles.size()));
                Case c = new Case(caseSeed);
                current = c;
                String where = "case " + i + " (seed " + SEED + ", case seed " + caseSeed + ") on '" + sentence + "'";
                NerResult result;
                try {
                    result = ner.recognize(sentence);
                } catch (El4nerException e) {
                    failures++;
                    for (Throwable t = e; t != null; t = t.getCause()) {
                        assertThat(String.valueOf(t.getMessage())).as(where).doesNotContain(SECRET);
                    }
                    if (e instanceof io.el4ner.api.EnsembleFailureException f) {
                        f.failures().forEach(d -> assertNoSecret(d, where));
                    }
                    answers += c.answers.get();
                    continue;
                } catch (RuntimeException | Error e) {
                    throw new AssertionError("crash in " + where, e);
                }
                answers += c.answers.get();
                for (Entity e : result.entities()) {
                    entities++;
                    digest = digest * 31 + (i + "/" + e.start() + "/" + e.end() + "/" + e.type()).hashCode();
                    assertThat(e.start()).as(where).isLessThan(e.end());
                    assertThat(sentence.substring(e.start(), e.end())).as(where).isEqualTo(e.text());
                    assertThat(Graphemes.isBoundary(sentence, e.start())).as(where + ": " + e).isTrue();
                    assertThat(Graphemes.isBoundary(sentence, e.end())).as(where + ": " + e).isTrue();
                    assertThat(e.text() + e.type() + e.provenance()).as(where).doesNotContain(SECRET);
                }
                long chars = 0;
                for (Diagnostic d : result.diagnostics()) {
                    assertNoSecret(d, where);
                    chars += d.message().length() + d.detail().length() + d.member().length();
                }
                assertThat(chars).as(where).isLessThanOrEqualTo(10 * c.answerChars.get() + DIAGNOSTIC_CONSTANT);
                worstDiagnostics = Math.max(worstDiagnostics, chars);
            }
        } finally {
            ensembles.forEach(EnsembleNer::close);
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        System.out.printf("hostile answer fuzz: seed %d, %d cases, %d hostile answers, %d entities (digest %x), %d "
                + "documented failures, 0 crashes, 0 invalid offsets, 0 leaks, largest diagnostics %d chars; %d ms%n",
                SEED, CASES, answers, entities, digest, failures, worstDiagnostics, millis);
        assertThat(answers).isGreaterThanOrEqualTo(10_000);
    }

    static void assertNoSecret(Diagnostic d, String where) {
        assertThat(d.message() + d.detail() + d.member()).as(where).doesNotContain(SECRET);
    }
}
