package io.el4ner.cli;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.el4ner.eval.ConllDataset;
import io.el4ner.eval.ConllReader;
import io.el4ner.eval.ConllSentence;
import io.el4ner.eval.DatasetFormatException;
import io.el4ner.eval.Scheme;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code el4ner inspect}: counts a dataset's sentences, tokens and entities. A malformed file is bad input: exit
 * {@value Main#USAGE} with the file and line, like a usage error.
 */
@Command(name = "inspect", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        sortOptions = false,
        header = "Count the sentences, tokens and entities of a dataset; print them as one JSON object.",
        description = {"Reads a CoNLL-style column file (UTF-8): the token in the first column,",
                "its tag in the last (or --column); spaces or tabs; blank lines end",
                "sentences; -DOCSTART- lines are skipped. Prints one JSON object:",
                "  {\"sentences\":N,\"tokens\":N,\"entities\":N,\"types\":{\"TYPE\":N,...}}",
                "with the types sorted by name. Entities are decoded leniently, as",
                "conlleval.pl does, unless --strict is given."},
        footer = {"",
                "Exit codes: 0 success; 2 usage error, missing file or malformed line",
                "(the message names the file and line); 1 any other failure while reading."})
final class InspectCommand implements Callable<Integer> {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "conll", converter = FormatConverter.class,
            description = "The file format: conll (the only one so far). Default: ${DEFAULT-VALUE}.")
    private String format;

    @Option(names = "--scheme", paramLabel = "SCHEME", defaultValue = "iob2", converter = SchemeConverter.class,
            description = "The tagging scheme: iob1, iob2 or bioes. Default: ${DEFAULT-VALUE}.")
    private Scheme scheme;

    @Option(names = "--column", paramLabel = "N",
            description = "The 1-based column holding the tags (the token is column 1). Default: the last.")
    private Integer column;

    @Option(names = "--strict",
            description = "Reject tags the scheme does not allow where they stand (e.g. I- after O in iob2); "
                    + "when the whole file follows another scheme, the message names it.")
    private boolean strict;

    @Parameters(index = "0", paramLabel = "FILE", description = "The dataset file.")
    private Path file;

    private final PrintStream out;
    private final PrintWriter err;

    InspectCommand(PrintStream out, PrintWriter err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() {
        if (column != null && column < 2) {
            err.println("error: --column must be 2 or more (column 1 holds the tokens), got " + column);
            return Main.USAGE;
        }
        if (!Files.exists(file)) {
            err.println("error: " + file + ": no such file");
            return Main.USAGE;
        }
        if (!Files.isRegularFile(file)) {
            err.println("error: " + file + ": not a file");
            return Main.USAGE;
        }
        ConllReader reader = ConllReader.builder().scheme(scheme).strict(strict)
                .tagColumn(column == null ? -1 : column - 1).build();
        ConllDataset dataset;
        try (Stream<ConllSentence> sentences = reader.stream(file)) {
            dataset = ConllDataset.of(sentences);
        } catch (DatasetFormatException e) {
            err.println("error: " + e.getMessage() + (strict ? schemeHint(e) : ""));
            return Main.USAGE;
        } catch (NoSuchFileException | AccessDeniedException e) {
            err.println("error: " + file + ": cannot read the file");
            return Main.USAGE;
        } catch (IOException | UncheckedIOException e) {
            err.println("error: " + file + ": reading failed: " + e.getMessage());
            return Main.FAILURE;
        }
        ObjectNode root = JSON.createObjectNode();
        root.put("sentences", dataset.sentences());
        root.put("tokens", dataset.tokens());
        root.put("entities", dataset.entities());
        ObjectNode types = root.putObject("types");
        for (Map.Entry<String, Integer> e : dataset.types().entrySet()) {
            types.put(e.getKey(), e.getValue());
        }
        try {
            out.write((JSON.writeValueAsString(root) + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            err.println("error: could not write the result: " + e.getMessage());
            return Main.FAILURE;
        }
        out.flush();
        return out.checkError() ? Main.FAILURE : Main.OK;
    }

    /**
     * After a strict failure: if the whole file reads strictly in another scheme (CoNLL-2003 is IOB1, and fails
     * under the default iob2 at its first entity), a hint to pass that scheme; otherwise "".
     */
    private String schemeHint(DatasetFormatException failure) {
        for (Scheme other : Scheme.values()) {
            if (other == scheme) {
                continue;
            }
            ConllReader reader = ConllReader.builder().scheme(other).strict(true)
                    .tagColumn(column == null ? -1 : column - 1).build();
            try (Stream<ConllSentence> sentences = reader.stream(file)) {
                if (sentences.count() > 0) {
                    return "; the whole file is well-formed " + other + (other == Scheme.IOB1 ? " (as CoNLL-2003 is)"
                            : "") + ": pass --scheme " + other.name().toLowerCase(Locale.ROOT);
                }
            } catch (DatasetFormatException | IOException | UncheckedIOException e) {
                // not that scheme either
            }
        }
        return "";
    }

    /** Accepts {@code conll}, any case. */
    static final class FormatConverter implements CommandLine.ITypeConverter<String> {
        @Override
        public String convert(String value) {
            String v = value.strip().toLowerCase(Locale.ROOT);
            if (!v.equals("conll")) {
                throw new CommandLine.TypeConversionException("unknown format '" + value + "'; use conll");
            }
            return v;
        }
    }

    /** {@link Scheme#parse}: iob1, iob2 or bioes. */
    static final class SchemeConverter implements CommandLine.ITypeConverter<Scheme> {
        @Override
        public Scheme convert(String value) {
            try {
                return Scheme.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
