package io.el4ner.core;

import io.el4ner.api.Demonstration;
import io.el4ner.api.EntityType;
import io.el4ner.api.LabeledSpan;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The ensemble that runs with no configuration, defined here and nowhere else: three small instruct models of
 * different families, run in-process by the {@code onnx} member provider (module {@code el4ner-onnx}) from their
 * ONNX exports on the Hugging Face Hub, the entity types {@code person}, {@code location}, {@code organization} and
 * {@code miscellaneous}, a bundled pool of demonstrations retrieved by {@code span-sim} with the bundled sentence
 * encoder, and self-validation by the first member.
 *
 * <p>{@link EnsembleNer.Builder#defaultEnsemble()} configures a builder with it; {@code el4ner recognize} without
 * {@code --config} runs it and {@code el4ner models} lists and downloads what it needs. el4ner-core does not depend
 * on el4ner-onnx: the members are configured by provider name, so without el4ner-onnx on the class path {@code
 * build()} fails saying that no provider named {@code onnx} (and {@code onnx-sentence}) was found.
 *
 * <p>The demonstrations ({@code default-demonstrations.txt} beside this class) were written for el4ner and ship
 * under its licence.
 *
 * @since 0.1
 */
public final class DefaultEnsemble {
    /** The member provider that runs the models (module {@code el4ner-onnx}). */
    public static final String MEMBER_PROVIDER = "onnx";
    /** The retriever: span-level similarity with the bundled sentence encoder ({@code onnx-sentence}). */
    public static final String RETRIEVER = "span-sim";
    /** Demonstrations per sentence. */
    public static final int DEMONSTRATION_COUNT = 4;
    /** Self-validation: the first member checks the typed entities. */
    public static final ValidationMode VALIDATION = ValidationMode.SINGLE;
    /** Each member's longest answer, in tokens: ample for the entities of one sentence. */
    public static final int MAX_NEW_TOKENS = 256;
    /** A file size not pinned in this definition: ask the Hub ({@code HEAD}) or the cache. */
    public static final long UNKNOWN_SIZE = -1;

    /**
     * One file of a member's repository.
     *
     * @param path the path in the repository
     * @param bytes its size, or {@link #UNKNOWN_SIZE} where this definition does not pin it
     */
    public record ModelFile(String path, long bytes) {
        /** Validates the components. */
        public ModelFile {
            Objects.requireNonNull(path, "path");
            if (bytes < UNKNOWN_SIZE) {
                throw new IllegalArgumentException("bytes must be >= 0 or UNKNOWN_SIZE, got " + bytes);
            }
        }
    }

    /**
     * One member of the default ensemble.
     *
     * @param name the member's name in results and usage
     * @param repo the Hugging Face repository id, {@code org/name}
     * @param revision the revision: a commit hash where one is pinned, else a branch
     * @param variant the ONNX file's stem under {@code onnx/}
     * @param files every file the member needs, the ONNX file included
     */
    public record Member(String name, String repo, String revision, String variant, List<ModelFile> files) {
        /** Validates the components. */
        public Member {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(repo, "repo");
            Objects.requireNonNull(revision, "revision");
            Objects.requireNonNull(variant, "variant");
            files = List.copyOf(files);
        }

        /** @return whether the revision is a commit hash (40 hex digits), not a branch that can move */
        public boolean pinned() {
            return revision.matches("[0-9a-f]{40}");
        }

        /** @return the parameters of the {@value #MEMBER_PROVIDER} provider that fetch it from the Hub */
        public Map<String, Object> parameters() {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("name", name);
            p.put("repo", repo);
            p.put("revision", revision);
            p.put("variant", variant);
            p.put("maxNewTokens", MAX_NEW_TOKENS);
            return p;
        }
    }

    /*
     * The members, and where each fact comes from (looked up on 2026-12-02; nothing here was downloaded):
     *
     * - llama: pinned to commit c5b77c42b9a13105f54d55be507e1a65b5b8149b, the revision of the Hub's file page
     *   https://huggingface.co/onnx-community/Llama-3.2-1B-Instruct/tree/c5b77c42b9a13105f54d55be507e1a65b5b8149b/onnx
     *   which lists onnx/model_q4.onnx at 1.66 GB (rounded by the page; no exact byte count was found).
     * - qwen: no full commit hash found. The Hub's commit list (huggingface.co/onnx-community/Qwen2.5-0.5B-Instruct/
     *   commits/main) shows main at cc5cc01 (Oct 8, 2024; a short hash, which a resolve URL does not take), the ONNX
     *   files from 516c8d0; its onnx/ page lists model_q4.onnx at 786 MB (one third-party download script gives
     *   786,156,820 bytes for it, not tied to a commit). TODO: pin the full hash.
     * - smollm2: no full commit hash found. The Hub's onnx/ page of HuggingFaceTB/SmolLM2-360M-Instruct shows the
     *   folder last changed at 6d8b2a3 (Nov 25, 2024, a short hash) with model_q4.onnx at 417 MB. TODO: pin the
     *   full hash.
     *
     * A member on "main" follows that branch until it is pinned. File names: the onnx-community layout
     * (config.json, generation_config.json, tokenizer.json, tokenizer_config.json, onnx/model_q4.onnx), as those
     * pages and public download scripts list them. No size is pinned (UNKNOWN_SIZE): the Hub's pages round them, so
     * el4ner models asks the Hub (HEAD) or the cache for exact ones.
     */
    private static final List<Member> MEMBERS = List.of(
            member("qwen", "onnx-community/Qwen2.5-0.5B-Instruct", "main", "model_q4"),
            member("smollm2", "HuggingFaceTB/SmolLM2-360M-Instruct", "main", "model_q4"),
            member("llama", "onnx-community/Llama-3.2-1B-Instruct", "c5b77c42b9a13105f54d55be507e1a65b5b8149b",
                    "model_q4"));

    private static final List<EntityType> TYPES = List.of(
            new EntityType("person", "Names of people, real or fictional"),
            new EntityType("location", "Names of places: countries, cities, regions, rivers, mountains, buildings"),
            new EntityType("organization", "Names of companies, institutions, agencies, teams, parties, bands"),
            new EntityType("miscellaneous", "Other proper names: events, nationalities, languages, works, products, "
                    + "awards"));

    private static final Pattern SPAN = Pattern.compile("\\[([^\\[\\]]+)]\\(([a-z]+)\\)");
    private static volatile List<Demonstration> demonstrations;

    private DefaultEnsemble() {
    }

    private static Member member(String name, String repo, String revision, String variant) {
        List<ModelFile> files = new ArrayList<>();
        for (String f : List.of("config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json",
                "onnx/" + variant + ".onnx")) {
            files.add(new ModelFile(f, UNKNOWN_SIZE));
        }
        return new Member(name, repo, revision, variant, files);
    }

    /** @return the members, the verifier first */
    public static List<Member> members() {
        return MEMBERS;
    }

    /** @return the entity types */
    public static List<EntityType> entityTypes() {
        return TYPES;
    }

    /**
     * @return the bundled demonstration pool: sentences written for el4ner, with {@code person}, {@code location},
     *     {@code organization} and {@code miscellaneous} spans
     * @throws UncheckedIOException if the resource cannot be read
     */
    public static List<Demonstration> demonstrations() {
        List<Demonstration> d = demonstrations;
        if (d == null) {
            d = parse(readResource());
            demonstrations = d;
        }
        return d;
    }

    /**
     * Configures a builder with the default ensemble. Its single-valued settings are defaults, as {@link
     * EnsembleNer.Builder#defaultEnsemble()} says: the builder's user may still set each of them once.
     *
     * @param builder the builder
     * @param memberParameters the parameters of each member's {@value #MEMBER_PROVIDER} provider, e.g. {@link
     *     Member#parameters()}, or a local {@code directory} in place of {@code repo}
     * @return the builder
     */
    public static EnsembleNer.Builder configure(EnsembleNer.Builder builder,
                                         Function<Member, Map<String, ?>> memberParameters) {
        return builder.withDefaults(b -> {
            b.entityTypes(TYPES);
            for (Member m : MEMBERS) {
                b.member(MEMBER_PROVIDER, memberParameters.apply(m));
            }
            b.demonstrations(demonstrations());
            b.demonstrationCount(DEMONSTRATION_COUNT);
            b.retriever(RETRIEVER, Map.of());
            b.validation(VALIDATION);
            b.verifier(MEMBERS.get(0).name());
        });
    }

    private static String readResource() {
        try (InputStream in = DefaultEnsemble.class.getResourceAsStream("default-demonstrations.txt")) {
            if (in == null) {
                throw new IllegalStateException("default-demonstrations.txt is missing beside " + DefaultEnsemble.class
                        + "; the el4ner-core jar is incomplete");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the default demonstrations", e);
        }
    }

    /**
     * Parses lines like {@code [Tim Cook](person) visited [Berlin](location).}: each {@code [text](type)} is a span;
     * blank lines and lines starting with {@code #} are skipped.
     */
    static List<Demonstration> parse(String source) {
        List<Demonstration> out = new ArrayList<>();
        for (String line : source.split("\\R")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            StringBuilder text = new StringBuilder();
            List<LabeledSpan> spans = new ArrayList<>();
            Matcher m = SPAN.matcher(line);
            int last = 0;
            while (m.find()) {
                text.append(line, last, m.start());
                int start = text.length();
                text.append(m.group(1));
                spans.add(new LabeledSpan(start, text.length(), m.group(2)));
                last = m.end();
            }
            text.append(line.substring(last));
            out.add(new Demonstration(text.toString(), spans));
        }
        return List.copyOf(out);
    }
}
