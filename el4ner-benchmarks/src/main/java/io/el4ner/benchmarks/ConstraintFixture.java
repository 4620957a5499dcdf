package io.el4ner.benchmarks;

import io.el4ner.api.AnswerContract;
import io.el4ner.api.EntityType;
import io.el4ner.api.Stage;
import io.el4ner.api.TaskContext;
import io.el4ner.api.TypedSpan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

/**
 * What the constraint benchmarks ({@link ConstraintMaskBenchmark}, {@link ConstraintDecodeBenchmark}) run on: the
 * two vocabularies' model folders, and for each sentence the requests of three stages with a fixed valid answer each
 * (the answer a good model gives, in the demonstrations' formatting).
 */
final class ConstraintFixture {
    /** The 151k-vocabulary model folder made by {@link #MAKE_QWEN}, relative to the repository root. */
    static final String QWEN_RELATIVE = "el4ner-benchmarks/target/fixtures/qwen-gqa";
    /** A system property naming another folder for {@code vocab = qwen}. */
    static final String QWEN_PROPERTY = "el4ner.constraint.qwen";
    /** The command, from the repository root, that makes the 151k-vocabulary model. */
    static final String MAKE_QWEN = "el4ner-benchmarks/fixtures/qwen-vocab.sh";
    /** The label set of every request. */
    static final List<EntityType> TYPES = List.of(EntityType.of("PER"), EntityType.of("ORG"), EntityType.of("LOC"),
            EntityType.of("MISC"));

    /** A CoNLL-2003 sentence (dev set style) with four entities. */
    static final Sentence CONLL = new Sentence("Germany 's representative to the European Union 's veterinary "
            + "committee Werner Zwingmann said on Wednesday consumers should buy sheepmeat from countries other than "
            + "Britain .", List.of(new TypedSpan("Germany", "LOC"), new TypedSpan("European Union", "ORG"),
            new TypedSpan("Werner Zwingmann", "PER"), new TypedSpan("Britain", "LOC")), "Wednesday",
            new TypedSpan("Wednesday", "MISC"));
    /**
     * A sentence with what the tokenizer splits into bytes or JSON must escape: an accent, CJK, kana, an emoji and
     * quotes (one span is a quoted title, escaped in the answer).
     */
    static final Sentence UNICODE = new Sentence("Beyonc\u00e9 told Le Monde that \u738b\u83f2 will sing \"Red "
            + "Bean\" at the \u6771\u4eac\u30c9\u30fc\u30e0 in Tokyo \ud83c\udfa4 next week .", List.of(
            new TypedSpan("Beyonc\u00e9", "PER"), new TypedSpan("Le Monde", "ORG"), new TypedSpan("\u738b\u83f2",
            "PER"), new TypedSpan("\"Red Bean\"", "MISC"), new TypedSpan("\u6771\u4eac\u30c9\u30fc\u30e0", "LOC"),
            new TypedSpan("Tokyo", "LOC")), "next week", new TypedSpan("\ud83c\udfa4", "MISC"));

    private ConstraintFixture() {
    }

    /**
     * @param vocab {@code small}: tiny-gqa (4,096 ids; see {@link DecoderFixture#dir()}); {@code qwen}: tiny-gqa's
     *     architecture over the full Qwen3 tokenizer (151,669 ids), made by {@link #MAKE_QWEN}
     * @return the model folder
     * @throws IllegalStateException if it is not there, saying where it was looked for and how to make it
     */
    static Path dir(String vocab) {
        switch (vocab) {
            case "small" -> {
                return DecoderFixture.dir();
            }
            case "qwen" -> {
                String property = System.getProperty(QWEN_PROPERTY);
                List<Path> tried = property != null ? List.of(Path.of(property))
                        : List.of(Path.of(QWEN_RELATIVE), Path.of("..").resolve(QWEN_RELATIVE));
                for (Path p : tried) {
                    if (Files.isRegularFile(p.resolve("config.json"))) {
                        return p.toAbsolutePath().normalize();
                    }
                }
                throw new IllegalStateException("vocab=qwen needs the 151k-vocabulary model folder "
                        + tried.stream().map(p -> p.toAbsolutePath().normalize().toString()).toList()
                        + " (with config.json), which is not committed; make it with " + MAKE_QWEN + " from the "
                        + "repository root (npm and /usr/bin/python3 with python3-onnx), run the benchmarks from "
                        + "there, or set -D" + QWEN_PROPERTY + "=<model folder>");
            }
            default -> throw new IllegalArgumentException("vocab must be small or qwen, got " + vocab);
        }
    }

    /**
     * @param name {@code conll} or {@code unicode}
     * @return the sentence
     */
    static Sentence sentence(String name) {
        return switch (name) {
            case "conll" -> CONLL;
            case "unicode" -> UNICODE;
            default -> throw new IllegalArgumentException("sentence must be conll or unicode, got " + name);
        };
    }

    /**
     * @param name {@code extraction} (the same contract as pre-extraction), {@code classification} or
     *     {@code validation}
     * @return the stage
     */
    static Stage stage(String name) {
        return Stage.valueOf(name.toUpperCase(Locale.ROOT));
    }

    /**
     * @param n the row's length
     * @return a row of logits, standard normal with a fixed seed
     */
    static float[] logits(int n) {
        SplittableRandom random = new SplittableRandom(42);
        float[] row = new float[n];
        for (int i = 0; i < n; i++) {
            row[i] = (float) nextGaussian(random);
        }
        return row;
    }

    private static double nextGaussian(SplittableRandom random) {
        double u = 1 - random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
    }

    /**
     * A sentence, its entities, a candidate span that is not an entity (for classification) and a wrongly typed
     * entity (for validation).
     */
    record Sentence(String text, List<TypedSpan> entities, String nonEntity, TypedSpan wrong) {
        /**
         * @param stage extraction, classification or validation
         * @return the request's context: for classification the entities and the non-entity as candidates, for
         *     validation the entities and the wrong one
         */
        TaskContext context(Stage stage) {
            List<String> spans = new ArrayList<>();
            List<TypedSpan> typed = new ArrayList<>();
            if (stage == Stage.CLASSIFICATION) {
                entities.forEach(e -> spans.add(e.text()));
                spans.add(nonEntity);
            } else if (stage == Stage.VALIDATION) {
                typed.addAll(entities);
                typed.add(wrong);
            }
            return new TaskContext(stage, text, TYPES, List.of(), spans, typed);
        }

        /**
         * @param stage extraction, classification or validation
         * @return the right answer, formatted as the prompts' demonstrations are
         */
        String answer(Stage stage) {
            return switch (stage) {
                case PRE_EXTRACTION, EXTRACTION -> "{\"entities\": [" + entities.stream().map(e -> quote(e.text()))
                        .collect(Collectors.joining(", ")) + "]}";
                case CLASSIFICATION -> "{\"labels\": [" + entities.stream().map(e -> label(e.text(), e.type()))
                        .collect(Collectors.joining(", ")) + ", " + label(nonEntity, AnswerContract.NONE) + "]}";
                case VALIDATION -> "{\"verdicts\": [" + entities.stream().map(e -> verdict(e, true))
                        .collect(Collectors.joining(", ")) + ", " + verdict(wrong, false) + "]}";
            };
        }

        private static String label(String span, String type) {
            return "{\"span\": " + quote(span) + ", \"type\": " + quote(type) + "}";
        }

        private static String verdict(TypedSpan span, boolean valid) {
            return "{\"span\": " + quote(span.text()) + ", \"type\": " + quote(span.type()) + ", \"valid\": " + valid
                    + "}";
        }

        /** JSON string of a text without control characters (none of the fixture's have any). */
        private static String quote(String s) {
            return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
        }
    }
}
