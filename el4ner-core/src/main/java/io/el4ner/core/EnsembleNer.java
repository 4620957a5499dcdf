package io.el4ner.core;

import io.el4ner.api.Demonstration;
import io.el4ner.api.El4nerConfigurationException;
import io.el4ner.api.El4nerException;
import io.el4ner.api.EntityType;
import io.el4ner.api.NerResult;
import io.el4ner.api.Redaction;
import io.el4ner.api.Stage;
import io.el4ner.api.spi.Aggregator;
import io.el4ner.api.spi.AggregatorProvider;
import io.el4ner.api.spi.ComponentConfig;
import io.el4ner.api.spi.ModelMember;
import io.el4ner.api.spi.ModelMemberProvider;
import io.el4ner.api.spi.Retriever;
import io.el4ner.api.spi.RetrieverProvider;
import io.el4ner.api.spi.SentenceSplitter;
import io.el4ner.api.spi.Validator;
import io.el4ner.api.spi.ValidatorProvider;
import io.el4ner.core.internal.assembly.Assembler;
import io.el4ner.core.internal.assembly.ComponentChoice;
import io.el4ner.core.internal.assembly.EnsembleSpec;
import io.el4ner.core.internal.exec.BatchRunner;
import io.el4ner.core.internal.exec.Pools;
import io.el4ner.core.internal.pipeline.TextRecognizer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recognises named entities with an ensemble of small LLMs, following EL4NER (arXiv 2505.23038):
 * <ol>
 *   <li>pre-extraction: every member lists candidate spans zero-shot (union);</li>
 *   <li>retrieval: the {@link Retriever} picks k demonstrations from the labelled pool using those spans;</li>
 *   <li>extraction: every member lists spans few-shot; the {@link Aggregator} keeps their union (or a quorum);</li>
 *   <li>classification: every member types all candidate spans in one call; weighted vote;</li>
 *   <li>validation: the {@link Validator} (by default the members themselves) keeps or drops each entity.</li>
 * </ol>
 * With no demonstration pool, stages 1–2 are skipped and extraction runs zero-shot.
 *
 * <p>Every entity's offsets are UTF-16 indices into the input and {@code input.substring(start, end)} equals its
 * text: model answers are strings, anchored to their occurrences on token boundaries, and strings found nowhere
 * are dropped and reported in {@link NerResult#diagnostics()}. Long texts are split into sentences (by default
 * with {@link java.text.BreakIterator}) and sentences too long for a member's context into overlapping windows.
 *
 * <p>Instances are immutable and thread-safe. {@link #close()} closes what the ensemble created through providers
 * (members, retriever, aggregator, validator) and its own threads, never instances passed to the builder.
 *
 * @since 0.1
 */
public final class EnsembleNer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EnsembleNer.class);

    private final TextRecognizer recognizer;
    private final List<String> memberNames;
    private final List<AutoCloseable> owned;
    private final ExecutorService ownedExecutor;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EnsembleNer(Assembler.Assembly parts) {
        this.recognizer = parts.recognizer();
        this.memberNames = recognizer.memberNames();
        this.owned = parts.owned();
        this.ownedExecutor = parts.ownedExecutor();
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the members' names, in ensemble order */
    public List<String> memberNames() {
        return memberNames;
    }

    /**
     * Recognises the entities of a text. An empty or blank text gives an empty result and calls no member.
     *
     * @param text the text; any length (it is split into sentences and windows, never truncated)
     * @return the entities, diagnostics and usage
     * @throws io.el4ner.api.EnsembleFailureException when every member failed in a stage of some sentence
     * @throws IllegalStateException after {@link #close()}
     * @throws NullPointerException if {@code text} is null
     */
    public NerResult recognize(String text) {
        return run(text, null, null);
    }

    /**
     * Recognises like {@link #recognize(String)} and reports progress after each sentence, so that a caller can show
     * how far a long text has got. The result is the same as {@link #recognize(String)}'s.
     *
     * <p>The listener is called once per sentence (or window of a sentence too long for a member's context), with
     * {@link RecognitionProgress#done()} going 1, 2, &hellip; up to {@link RecognitionProgress#total()}; the call at
     * {@code total} happens before this method returns, and no call happens after it returns or throws. Sentences
     * are recognised in parallel, so the listener is called from any thread (the ensemble's or the caller's), but
     * never by two threads at once: it needs no synchronisation of its own. It should return quickly, since a
     * sentence's thread waits for it. A blank text has no sentences and gives no call. When recognition fails, the
     * last call may be below {@code total}. An exception the listener throws is logged and ends the calls for this
     * text; it changes nothing else.
     *
     * @param text the text; any length
     * @param progress called after each sentence
     * @return the entities, diagnostics and usage
     * @throws io.el4ner.api.EnsembleFailureException when every member failed in a stage of some sentence
     * @throws IllegalStateException after {@link #close()}
     * @throws NullPointerException if {@code text} or {@code progress} is null
     * @since 0.1
     */
    public NerResult recognize(String text, Consumer<? super RecognitionProgress> progress) {
        Objects.requireNonNull(progress, "progress");
        return run(text, null, progress);
    }

    /**
     * Recognises like {@link #recognize(String)} and also returns what each stage produced for each sentence:
     * the material of ablations (each member alone, union only, with vote, with validation) at no extra calls.
     *
     * @param text the text
     * @return the result and one trace per sentence or window
     * @throws NullPointerException if {@code text} is null
     */
    public TracedResult recognizeTraced(String text) {
        List<SentenceTrace> traces = new ArrayList<>();
        return new TracedResult(run(text, traces, null), traces);
    }

    private NerResult run(String text, List<SentenceTrace> traces, Consumer<? super RecognitionProgress> progress) {
        Objects.requireNonNull(text, "text");
        if (closed.get()) {
            throw new IllegalStateException("this EnsembleNer is closed");
        }
        if (text.isBlank()) {
            return NerResult.empty(text);
        }
        return recognizer.recognize(text, traces, progress);
    }

    /**
     * Recognises many texts, {@code parallelism} at a time, and hands each result (or failure) to the listener as
     * soon as it and all texts before it are done, so results arrive in input order. A text that fails does not
     * stop the batch: its item carries the failure.
     *
     * <p>A new text starts as soon as any running text finishes, not only the oldest one, so one slow text does not
     * hold the others back. Results that finish ahead of an earlier text wait for it; at most
     * {@code 4 × parallelism} texts are held at once (running or waiting), which bounds the memory a batch takes:
     * only a text still running when the {@code 4 × parallelism - 1} texts after it are done makes new texts wait
     * for it.
     *
     * @param texts the texts; read lazily on the calling thread, so a large file can be streamed
     * @param parallelism texts recognised at once, {@code >= 1}
     * @param listener receives items and progress on the calling thread
     * @throws IllegalArgumentException if {@code parallelism < 1}
     */
    public void recognizeBatch(Iterable<String> texts, int parallelism, BatchListener listener) {
        BatchRunner.run(texts, parallelism, listener, (i, text) -> recognizeItem(i, text, false));
    }

    /**
     * Like {@link #recognizeBatch}, but every item also carries its {@link TracedResult}
     * ({@link BatchItem#traced()}), as {@link #recognizeTraced(String)} gives it.
     *
     * @param texts the texts
     * @param parallelism texts recognised at once, {@code >= 1}
     * @param listener receives items and progress on the calling thread
     */
    public void recognizeBatchTraced(Iterable<String> texts, int parallelism, BatchListener listener) {
        BatchRunner.run(texts, parallelism, listener, (i, text) -> recognizeItem(i, text, true));
    }

    private BatchItem recognizeItem(int index, String text, boolean traced) {
        String t = text == null ? "" : text;
        try {
            if (traced) {
                TracedResult r = recognizeTraced(t);
                return new BatchItem(index, t, r.result(), null, r);
            }
            return new BatchItem(index, t, recognize(t), null);
        } catch (El4nerException e) {
            return new BatchItem(index, t, null, e);
        } catch (RuntimeException e) {
            return new BatchItem(index, t, null, new El4nerException("recognising text " + index + " failed: " + e, e));
        }
    }

    /** Closes what the ensemble created. Idempotent. Failures to close are logged, never thrown. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (AutoCloseable c : owned) {
            try {
                c.close();
            } catch (Exception e) {
                log.warn("closing {} failed: {}", c.getClass().getName(), Redaction.redact(e.toString()));
            }
        }
        if (ownedExecutor != null) {
            Pools.shutDownNow(ownedExecutor);
        }
        recognizer.close();
    }

    /**
     * Configures an {@link EnsembleNer}. Not thread-safe. List-valued options (members, entity types,
     * demonstrations, member weights, prompts) add to what is there; every other option, component choices
     * included, can be set once, and a second call of its setter throws {@link IllegalStateException}. What
     * {@link #defaultEnsemble()} sets are defaults, which a setter called afterwards replaces (once).
     * {@link #build()} checks the whole configuration and may be called more than once.
     *
     * @since 0.1
     */
    public static final class Builder {
        private final List<ComponentChoice<ModelMember>> members = new ArrayList<>();
        private final List<EntityType> types = new ArrayList<>();
        private final List<Demonstration> pool = new ArrayList<>();
        private final Map<Stage, PromptTemplate> prompts = new EnumMap<>(Stage.class);
        private final Map<String, Double> weights = new LinkedHashMap<>();
        private final Set<String> setByUser = new HashSet<>();
        private ComponentChoice<Retriever> retriever;
        private ComponentChoice<Aggregator> aggregator;
        private ComponentChoice<Validator> validator;
        private Executor executor;
        private SentenceSplitter splitter;
        private int k = 5;
        private int quorum = 1;
        private ValidationMode validation = ValidationMode.SINGLE;
        private String verifier;
        private boolean skipUnanimous;
        private boolean nested;
        private int maxConcurrentCalls = 16;
        private int sentenceParallelism = 4;
        private Duration timeout = Duration.ofSeconds(120);
        private int windowTokens;
        private ClassLoader classLoader;
        private Path baseDirectory;
        private boolean applyingDefaults;

        private Builder() {
        }

        /**
         * Adds a member instance. The ensemble does not close it.
         *
         * @param member a member; its name must be unique in the ensemble
         * @return this builder
         */
        public Builder member(ModelMember member) {
            members.add(new ComponentChoice.Given<>(Objects.requireNonNull(member, "member")));
            return this;
        }

        /**
         * Adds a member created at {@link #build()} by the {@link ModelMemberProvider} of that name; the ensemble
         * closes it.
         *
         * @param provider the provider's name
         * @param parameters the member's parameters
         * @return this builder
         */
        public Builder member(String provider, Map<String, ?> parameters) {
            members.add(named(Objects.requireNonNull(provider, "provider"), parameters));
            return this;
        }

        /**
         * @param members member instances to add
         * @return this builder
         */
        public Builder members(Collection<? extends ModelMember> members) {
            members.forEach(this::member);
            return this;
        }

        /**
         * Adds an entity type of the label set (at least one is required).
         *
         * @param name the label
         * @param description what belongs to the type; shown to the models
         * @return this builder
         */
        public Builder entityType(String name, String description) {
            return entityType(new EntityType(name, description));
        }

        /**
         * @param type an entity type to add
         * @return this builder
         */
        public Builder entityType(EntityType type) {
            types.add(Objects.requireNonNull(type, "type"));
            return this;
        }

        /**
         * @param types entity types to add
         * @return this builder
         */
        public Builder entityTypes(Collection<EntityType> types) {
            types.forEach(this::entityType);
            return this;
        }

        /**
         * Adds labelled sentences to the demonstration pool. Without a pool the pipeline runs zero-shot.
         *
         * @param demonstrations labelled sentences; their types must be in the label set
         * @return this builder
         */
        public Builder demonstrations(Collection<Demonstration> demonstrations) {
            demonstrations.forEach(d -> pool.add(Objects.requireNonNull(d, "demonstration")));
            return this;
        }

        /**
         * @param k demonstrations per sentence, {@code >= 0}; default 5
         * @return this builder
         * @throws IllegalStateException if this option was already set
         */
        public Builder demonstrationCount(int k) {
            this.k = option("demonstration count", this.k, atLeast(k, 0, "demonstration count"));
            return this;
        }

        /**
         * @param retriever the retriever; default: the highest-priority {@link RetrieverProvider} found (or the
         *     one named by {@code -Del4ner.retriever}), used only when there is a pool
         * @return this builder
         * @throws IllegalStateException if this option was already set
         */
        public Builder retriever(Retriever retriever) {
            this.retriever = option("retriever", this.retriever, given(retriever, "retriever"));
            return this;
        }

        /**
         * @param provider a {@link RetrieverProvider}'s name, e.g. {@code token-overlap}
         * @param parameters its parameters
         * @return this builder
         * @throws IllegalStateException if this option was already set
         */
        public Builder retriever(String provider, Map<String, ?> parameters) {
            this.retriever = option("retriever", this.retriever, named(provider, parameters));
            return this;
        }

        /**
         * @param aggregator the aggregator; default {@code voting}, configured by {@link #extractionQuorum} and
         *     {@link #memberWeights}, which cannot be combined with an explicit aggregator
         * @return this builder
         * @throws IllegalStateException if this option was already set
         */
        public Builder aggregator(Aggregator aggregator) {
            this.aggregator = option("aggregator", this.aggregator, given(aggregator, "aggregator"));
            return this;
        }

        /**
         * @param provider an {@link AggregatorProvider}'s name
         * @param parameters its parameters
         * @return this builder
         * @throws IllegalStateException if this option was already set
         */
        public Builder aggregator(String provider, Map<String, ?> parameters) {
            this.aggregator = option("aggregator", this.aggregator, named(provider, parameters));
            return this;
        }

        /**
         * @param m members that must propose a span for it to be kept; 1 (default) is the union
         * @return this builder
         * @throws IllegalStateException if this option was already set
         */
        public Builder extractionQuorum(int m) {
            this.quorum = option("extraction quorum", this.quorum, atLeast(m, 1, "extraction quorum"));
            return this;
        }

        /**
         * @param weights classification vote weights by member name (e.g. learned on a dev set); default 1 each
         * @return this builder
         */
        public Builder memberWeights(Map<String, Double> weights) {
            this.weights.putAll(weights);
            return this;
        }

        /**
         * Sets EL4NER's self-validation. Default {@link ValidationMode#SINGLE} with the first member as verifier.
         *
         * @param mode who validates
         * @return this builder
         * @throws IllegalStateException if this option was already set
         */
        public Builder validation(ValidationMode mode) {
            this.validation = option("validation", this.validation, Objects.requireNonNull(mode, "mode"));
            return this;
        }

        /**
         * @param memberName the verifier of {@link ValidationMode#SINGLE} validation
         * @return this builder
         * @throws IllegalStateException if this option was already set
         */
        public Builder verifier(String memberName) {
            this.verifier = option("verifier", this.verifier, Objects.requireNonNull(memberName, "memberName"));
            return this;
        }

        /**
         * @param skip skip validating entities that every member proposed and labelled alike, to save calls;
         *     default false
         * @return this builder
         * @throws IllegalStateException if this option was already set
         */
        public Builder skipValidationWhenUnanimous(boolean skip) {
            this.skipUnanimous = option("skipValidationWhenUnanimous", this.skipUnanimous, skip);
            return this;
        }

        /**
         * Replaces self-validation with a validator of your own. The ensemble does not close it.
         *
         * @param validator the validator
         * @return this builder
         * @throws IllegalStateException if this option was already set
         */
        public Builder validator(Validator validator) {
            this.validator = option("validator", this.validator, given(validator, "validator"));
            return this;
        }

        /**
         * @param provider a {@link ValidatorProvider}'s name, e.g. {@code self}
         * @param parameters its parameters
         * @return this builder
         * @throws IllegalStateException if this option was already set
         */
        public Builder validator(String provider, Map<String, ?> parameters) {
            this.validator = option("validator", this.validator, named(provider, parameters));
            return this;
        }

        /**
         * @param template replaces the built-in prompt of its stage
         * @return this builder
         */
        public Builder prompt(PromptTemplate template) {
            prompts.put(template.stage(), template);
            return this;
        }

        /**
         * @param executor runs member calls; default: an own pool of daemon threads, shut down on close
         * @return this builder
         * @throws IllegalStateException if this option was already set
         */
        public Builder executor(Executor executor) {
            this.executor = option("executor", this.executor, Objects.requireNonNull(executor, "executor"));
            return this;
        }

        /**
         * @param n member calls in flight at once, across all recognitions, {@code >= 1}; default 16
         * @return this builder
         * @throws IllegalStateException if this option was already set
         */
        public Builder maxConcurrentCalls(int n) {
            this.maxConcurrentCalls = option("maxConcurrentCalls", this.maxConcurrentCalls,
                    atLeast(n, 1, "maxConcurrentCalls"));
            return this;
        }

        /**
         * @param directory the directory that relative file paths in provider parameters (an index file, a
         *     recording, a model directory, …) are resolved against, as {@link ComponentConfig#path(String)}
         *     does; the CLI passes its configuration file's folder. Default: the current directory
         * @return this builder
         * @throws IllegalStateException if this option was already set
         */
        public Builder baseDirectory(Path directory) {
            this.baseDirectory = option("base directory", this.baseDirectory,
                    Objects.requireNonNull(directory, "directory"));
            return this;
        }

        /**
         * @param n sentences of one text recognised at once, {@code >= 1}; default 4. Results never depend on
         *     the order they finish in.
         * @return this builder
         * @throws IllegalStateException if this option was already set
         */
        public Builder sentenceParallelism(int n) {
            this.sentenceParallelism = option("sentenceParallelism", this.sentenceParallelism,
                    atLeast(n, 1, "sentenceParallelism"));
            return this;
        }

        /**
         * @param timeout deadline of one member call; default 120 s. A member that misses it counts as failed.
         * @return this builder
         * @throws IllegalStateException if this option was already set
         */
        public Builder timeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive, got " + timeout);
            }
            this.timeout = option("timeout", this.timeout, timeout);
            return this;
        }

        /**
         * @param splitter splits texts into sentences; default {@link java.text.BreakIterator} (root locale)
         * @return this builder
         * @throws IllegalStateException if this option was already set
         */
        public Builder sentenceSplitter(SentenceSplitter splitter) {
            this.splitter = option("sentence splitter", this.splitter, Objects.requireNonNull(splitter, "splitter"));
            return this;
        }

        /**
         * @param tokens tokens a sentence may take in a prompt before it is windowed; default 0, meaning a quarter
         *     of each member's {@link ModelMember#contextTokens()}
         * @return this builder
         * @throws IllegalStateException if this option was already set
         */
        public Builder windowTokens(int tokens) {
            this.windowTokens = option("windowTokens", this.windowTokens, atLeast(tokens, 0, "windowTokens"));
            return this;
        }

        /**
         * @param allow keep overlapping entities (for nested label sets); default false: of overlapping
         *     entities the most confident, then the longest, is kept and the others are reported
         * @return this builder
         * @throws IllegalStateException if this option was already set
         */
        public Builder nestedEntities(boolean allow) {
            this.nested = option("nestedEntities", this.nested, allow);
            return this;
        }

        /**
         * Configures the {@linkplain DefaultEnsemble default ensemble}: its entity types, its three members (the
         * {@code onnx} provider of module el4ner-onnx, which downloads their models from the Hugging Face Hub into
         * the Hugging Face cache on first use), its demonstration pool, the {@code span-sim} retriever and
         * self-validation. Its single-valued settings (demonstration count, retriever, validation, verifier) are
         * defaults: they do not count as set, so each may still be set once, before or after this call, and the
         * value set wins. Its list-valued settings add to what is there (more entity types, members,
         * demonstrations may be added before or after).
         *
         * @return this builder
         * @see DefaultEnsemble
         */
        public Builder defaultEnsemble() {
            return DefaultEnsemble.configure(this, DefaultEnsemble.Member::parameters);
        }

        /**
         * @param loader where providers are looked up; default the thread's context class loader, else el4ner's
         * @return this builder
         * @throws IllegalStateException if this option was already set
         */
        public Builder classLoader(ClassLoader loader) {
            this.classLoader = option("class loader", this.classLoader, Objects.requireNonNull(loader, "loader"));
            return this;
        }

        /**
         * Builds the ensemble: creates provider-made components and checks the configuration. Every problem is
         * reported at once: first those of the builder's own settings (then no component is created), else those
         * found while creating the components (each provider's complaints, member names, weights, the verifier).
         *
         * @return a new ensemble
         * @throws El4nerConfigurationException listing in {@link El4nerConfigurationException#problems()} every
         *     problem found: an unknown provider, a provider's rejected parameters, no member, duplicate member
         *     names, no entity type, a demonstration with a type outside the label set, weights or a verifier
         *     naming no member, or options that cannot be combined; the components already created are closed
         */
        public EnsembleNer build() {
            EnsembleSpec spec = spec();
            List<String> problems = spec.problems();
            if (!problems.isEmpty()) {
                throw new El4nerConfigurationException(problems);
            }
            return new EnsembleNer(Assembler.assemble(spec));
        }

        /** @return what the builder holds now, as an immutable specification */
        EnsembleSpec spec() {
            return new EnsembleSpec(members, types, pool, prompts, weights, retriever, aggregator, validator,
                    executor, splitter, k, quorum, validation, verifier, skipUnanimous, nested, maxConcurrentCalls,
                    sentenceParallelism, timeout, windowTokens, classLoader, baseDirectory);
        }

        private static int atLeast(int value, int min, String what) {
            if (value < min) {
                throw new IllegalArgumentException(what + " must be >= " + min + ", got " + value);
            }
            return value;
        }

        private static <T> ComponentChoice<T> given(T instance, String what) {
            return new ComponentChoice.Given<>(Objects.requireNonNull(instance, what));
        }

        private static <T> ComponentChoice<T> named(String provider, Map<String, ?> parameters) {
            return new ComponentChoice.Named<>(provider, Map.copyOf(parameters));
        }

        /** @return {@code value}, or {@code current} where a default must not replace what the user set */
        private <T> T option(String what, T current, T value) {
            return claim(what) ? value : current;
        }

        /**
         * Marks the option {@code what} as set by the user, or, while {@link #withDefaults} runs, says whether a
         * default may still fill it.
         *
         * @return whether the caller should store its value
         * @throws IllegalStateException if the user already set the option
         */
        private boolean claim(String what) {
            if (applyingDefaults) {
                return !setByUser.contains(what);
            }
            if (!setByUser.add(what)) {
                throw new IllegalStateException(what + " was already set; it can be set once");
            }
            return true;
        }

        /**
         * Runs {@code configuration} with its settings of single-valued options taken as defaults: they neither
         * replace a value the user set nor count as set, so the user may still set each of them once. Settings of
         * list-valued options add to the lists as always.
         */
        Builder withDefaults(Consumer<Builder> configuration) {
            boolean outer = applyingDefaults;
            applyingDefaults = true;
            try {
                configuration.accept(this);
            } finally {
                applyingDefaults = outer;
            }
            return this;
        }
    }
}
