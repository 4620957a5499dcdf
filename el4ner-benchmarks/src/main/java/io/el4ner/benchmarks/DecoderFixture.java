package io.el4ner.benchmarks;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.el4ner.api.ChatMessage;
import io.el4ner.onnx.internal.ChatTemplate;
import io.el4ner.onnx.internal.DecoderDirectory;
import io.el4ner.onnx.internal.DecoderEngine;
import io.el4ner.onnx.internal.DecoderSignature;
import io.el4ner.onnx.internal.OrtSessions;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The decoder benchmarks' model: the larger tiny fixture of el4ner-onnx ({@code tiny-gqa}: random weights, the real
 * reduced Qwen tokenizer of 4,096 ids, 2 layers, 4 query and 2 KV heads), found in the repository's test resources,
 * and the prompts the benchmarks feed it: NER-shaped chats whose system message (instructions, types,
 * demonstrations) is the same for both stages and whose user message differs.
 */
final class DecoderFixture {
    /** The fixture's folder, relative to the repository root. */
    static final String RELATIVE = "el4ner-onnx/src/test/resources/io/el4ner/onnx/decoders/tiny-gqa";
    /** A system property naming another model folder (same layout) to benchmark instead. */
    static final String PROPERTY = "el4ner.decoder";

    private DecoderFixture() {
    }

    /**
     * @return the model folder: {@code -Del4ner.decoder=<folder>}, else the fixture under the repository root (the
     *     working directory or its parent)
     * @throws IllegalStateException if it is not there, saying where it was looked for
     */
    static Path dir() {
        String property = System.getProperty(PROPERTY);
        List<Path> tried = new ArrayList<>();
        if (property != null) {
            tried.add(Path.of(property));
        } else {
            tried.add(Path.of(RELATIVE));
            tried.add(Path.of("..").resolve(RELATIVE));
        }
        for (Path p : tried) {
            if (Files.isRegularFile(p.resolve("config.json"))) {
                return p.toAbsolutePath().normalize();
            }
        }
        throw new IllegalStateException("the decoder benchmarks need the model folder "
                + tried.stream().map(p -> p.toAbsolutePath().normalize().toString()).toList()
                + " (with config.json); run them from the repository root, where " + RELATIVE + " is, or set -D"
                + PROPERTY + "=<model folder>");
    }

    /**
     * @param tokenizerJson a model's tokenizer.json
     * @return its tokenizer as the member configures it: no special tokens added, no padding, no truncation
     */
    static HuggingFaceTokenizer tokenizer(Path tokenizerJson) {
        Map<String, String> options = Map.of("addSpecialTokens", "false", "padding", "false", "truncation", "false");
        try (InputStream in = Files.newInputStream(tokenizerJson)) {
            return HuggingFaceTokenizer.newInstance(in, options);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A session over one variant of the fixture, with what el4ner and the contenders need around it. */
    static final class Model implements AutoCloseable {
        final DecoderDirectory files;
        final OrtSession session;
        final DecoderSignature signature;
        final HuggingFaceTokenizer tokenizer;
        final ChatTemplate template;
        final int pickableIds;

        Model(String variant, int threads) {
            this(dir(), variant, threads);
        }

        /**
         * @param dir a model folder in the fixture's layout
         * @param variant the ONNX file under onnx/
         * @param threads ONNX Runtime's intra-op threads
         */
        Model(Path dir, String variant, int threads) {
            files = DecoderDirectory.read(dir, variant, DecoderDirectory.CPU_VARIANTS);
            try {
                template = ChatTemplate.fromModelDirectory(files.dir());
                session = OrtSessions.open("benchmark decoder", files.onnxFile(), OrtSessions.Options.cpu(threads))
                        .session();
                signature = DecoderSignature.read(session, files);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (OrtException e) {
                throw new IllegalStateException(e);
            }
            pickableIds = Math.min(DecoderDirectory.tokenizerIds(files.tokenizerJson()), signature.vocab());
            tokenizer = tokenizer(files.tokenizerJson());
        }

        /** @return an engine over the session with the member's defaults (chunk 64, the end tokens as breaks) */
        DecoderEngine engine() {
            return new DecoderEngine(session, signature, DecoderEngine.DEFAULT_CHUNK, files.endTokens());
        }

        /** @return the bytes of the model's files (the .onnx and its external data): the weights read per step */
        long weightBytes() {
            try {
                long n = Files.size(files.onnxFile());
                Path data = files.onnxFile().resolveSibling(files.onnxFile().getFileName() + "_data");
                return Files.isRegularFile(data) ? n + Files.size(data) : n;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Renders and tokenizes a chat as the member does. */
        long[] tokens(List<ChatMessage> messages) {
            return tokenizer.encode(template.render(messages, true), false, false).getIds();
        }

        @Override
        public void close() {
            tokenizer.close();
            try {
                session.close();
            } catch (OrtException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** Sentences for the user messages, CoNLL-2003-like news text. */
    static final List<String> SENTENCES = List.of(
            "EU rejects German call to boycott British lamb .",
            "Peter Blackburn reported from Brussels on Thursday .",
            "The European Commission said on Thursday it disagreed with German advice to consumers .",
            "Germany 's representative to the European Union 's veterinary committee Werner Zwingmann said on "
                    + "Wednesday consumers should buy sheepmeat from countries other than Britain .",
            "Fischler proposed EU-wide measures after reports from Britain and France .",
            "Spanish Farm Minister Loyola de Palacio had earlier accused Fischler of causing unjustified alarm .",
            "Rare Hendrix song draft sells for almost $ 17,000 in London .",
            "China says Taiwan spoils atmosphere for talks with Beijing .",
            "Moscow and Kiev agreed on Tuesday to settle the Black Sea fleet dispute within a month .",
            "Japan's Toyota Motor Corp said its sales in the United States rose 4 percent in August .",
            "Sampras beat Agassi in straight sets at the U.S. Open in New York on Sunday .",
            "The Reserve Bank of Australia left interest rates unchanged after its meeting in Sydney .",
            "Italy 's Fiat said it would build a new plant near Turin with help from the World Bank .",
            "Police in Lagos arrested two men after a raid on the offices of Shell Nigeria .",
            "Manchester United drew 1-1 with Juventus in Turin in the Champions League on Wednesday .",
            "Microsoft and Intel will present new software at the Comdex fair in Las Vegas next month .");

    /** The system message both stages share: instructions, the types and three demonstrations. */
    static final String SYSTEM = """
            You are an expert annotator of named entities in news text. Find every named entity in the sentence \
            and give its type. Answer with JSON only.
            Types:
            - PER: names of people, including fictional characters
            - ORG: companies, institutions, sports teams, political parties
            - LOC: countries, cities, regions, rivers, mountains
            - MISC: nationalities, events, works of art, languages, other names
            Examples:
            Sentence: Swiss Grand Prix winner Michael Schumacher joined Ferrari in 1996 .
            Answer: {"entities": [{"span": "Swiss", "type": "MISC"}, {"span": "Michael Schumacher", "type": "PER"}, \
            {"span": "Ferrari", "type": "ORG"}]}
            Sentence: Shares of Deutsche Bank rose in Frankfurt on Friday .
            Answer: {"entities": [{"span": "Deutsche Bank", "type": "ORG"}, {"span": "Frankfurt", "type": "LOC"}]}
            Sentence: Clinton met Yeltsin in Helsinki .
            Answer: {"entities": [{"span": "Clinton", "type": "PER"}, {"span": "Yeltsin", "type": "PER"}, \
            {"span": "Helsinki", "type": "LOC"}]}""";

    /**
     * @param sentence a sentence
     * @return the first stage's chat: the shared system message, then the sentence to annotate
     */
    static List<ChatMessage> firstStage(String sentence) {
        return List.of(ChatMessage.system(SYSTEM), ChatMessage.user("Sentence: " + sentence + "\nAnswer:"));
    }

    /**
     * @param prompt {@code stage} for {@link #firstStage}, {@code short} for {@link #shortChat}
     * @param sentence a sentence
     * @return the chat
     */
    static List<ChatMessage> chat(String prompt, String sentence) {
        return switch (prompt) {
            case "stage" -> firstStage(sentence);
            case "short" -> shortChat(sentence);
            default -> throw new IllegalArgumentException("prompt must be stage or short, got " + prompt);
        };
    }

    /**
     * @param sentence a sentence
     * @return a short chat: the sentence to annotate, no system message of ours (the chat template may add its own)
     */
    static List<ChatMessage> shortChat(String sentence) {
        return List.of(ChatMessage.user("Sentence: " + sentence + "\nAnswer:"));
    }

    /**
     * @param sentence a sentence
     * @return the second stage's chat: the same system message, then a question about the first stage's answer
     */
    static List<ChatMessage> secondStage(String sentence) {
        return List.of(ChatMessage.system(SYSTEM), ChatMessage.user("Check the entities found in this sentence and "
                + "correct their types where they are wrong.\nSentence: " + sentence + "\nEntities: "
                + "[{\"span\": \"" + sentence.split(" ")[0] + "\", \"type\": \"ORG\"}]\nAnswer:"));
    }
}
