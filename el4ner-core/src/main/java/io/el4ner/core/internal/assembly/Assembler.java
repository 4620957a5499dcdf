package io.el4ner.core.internal.assembly;

import io.el4ner.api.El4nerConfigurationException;
import io.el4ner.api.Stage;
import io.el4ner.api.spi.Aggregator;
import io.el4ner.api.spi.AggregatorProvider;
import io.el4ner.api.spi.ComponentConfig;
import io.el4ner.api.spi.ModelMember;
import io.el4ner.api.spi.ModelMemberProvider;
import io.el4ner.api.spi.Retriever;
import io.el4ner.api.spi.RetrieverProvider;
import io.el4ner.api.spi.Validator;
import io.el4ner.api.spi.ValidatorProvider;
import io.el4ner.core.EnsembleNer;
import io.el4ner.core.ValidationMode;
import io.el4ner.core.internal.Providers;
import io.el4ner.core.internal.builtin.SelfValidator;
import io.el4ner.core.internal.builtin.VotingAggregator;
import io.el4ner.core.internal.exec.MemberInvoker;
import io.el4ner.core.internal.exec.Pools;
import io.el4ner.core.internal.llm.Prompts;
import io.el4ner.core.internal.pipeline.Pipeline;
import io.el4ner.core.internal.pipeline.TextRecognizer;
import io.el4ner.core.internal.text.BreakIteratorSplitter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns an {@link EnsembleSpec} into the running parts of an ensemble: creates the provider-made components (and
 * owns them), checks what only the components can tell (member names, weights and verifier naming members), and
 * wires the pipeline. Problems are collected rather than stopping at the first: a component that cannot be created
 * is left out, and the others are still created so that their problems are found too. It logs as
 * {@link EnsembleNer}, whose builder it serves.
 */
public final class Assembler {
    private static final Logger log = LoggerFactory.getLogger(EnsembleNer.class);

    private final EnsembleSpec spec;
    private final ClassLoader loader;
    private final List<AutoCloseable> owned = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();
    private final Set<String> names = new HashSet<>();
    private final List<String> memberNames = new ArrayList<>();
    private boolean allNamesKnown = true;

    /**
     * What the ensemble runs and what it closes.
     *
     * @param recognizer runs the pipeline over texts
     * @param owned the components created through providers, closed with the ensemble
     * @param ownedExecutor the pool of member calls when the ensemble made it; else null
     */
    public record Assembly(TextRecognizer recognizer, List<AutoCloseable> owned, ExecutorService ownedExecutor) {
        /** Copies the list. */
        public Assembly {
            owned = List.copyOf(owned);
        }
    }

    private Assembler(EnsembleSpec spec, ClassLoader loader) {
        this.spec = spec;
        this.loader = loader;
    }

    /**
     * Creates the components of a spec whose own {@linkplain EnsembleSpec#problems() problems} are none.
     *
     * @param spec the spec
     * @return the assembled parts
     * @throws El4nerConfigurationException listing every problem found; the components already created are closed
     */
    public static Assembly assemble(EnsembleSpec spec) {
        ClassLoader loader = spec.classLoader() != null ? spec.classLoader()
                : Optional.ofNullable(Thread.currentThread().getContextClassLoader())
                .orElse(EnsembleNer.class.getClassLoader());
        Assembler a = new Assembler(spec, loader);
        try {
            return a.assemble();
        } catch (RuntimeException e) {
            for (AutoCloseable c : a.owned) {
                try {
                    c.close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    private Assembly assemble() {
        List<ModelMember> built = members();
        if (allNamesKnown) {
            for (String w : spec.weights().keySet()) {
                if (!names.contains(w)) {
                    problems.add("memberWeights names '" + w + "', which is not a member; members: " + memberNames);
                }
            }
            if (spec.validator() == null && spec.validation() != ValidationMode.NONE && spec.verifier() != null
                    && !names.contains(spec.verifier())) {
                problems.add("verifier '" + spec.verifier() + "' is not a member; members: " + memberNames);
            }
        }
        Optional<Retriever> r = retriever();
        Aggregator a = aggregator();
        Prompts p = new Prompts(spec.prompts());
        Optional<Validator> v = validator(p);
        if (!problems.isEmpty()) {
            throw new El4nerConfigurationException(problems);
        }

        ExecutorService ownedExecutor = null;
        Executor exec = spec.executor();
        if (exec == null) {
            ownedExecutor = Executors.newCachedThreadPool(Pools.daemonThreads("el4ner-call-"));
            exec = ownedExecutor;
        }
        Pipeline pipeline = new Pipeline(built, spec.types(), r, spec.k(), a, v, spec.skipUnanimous(), spec.nested(),
                p, new MemberInvoker(exec, spec.maxConcurrentCalls(), spec.timeout()));
        if (log.isDebugEnabled()) {
            log.debug("built an ensemble of {} members {}; prompts {}", built.size(), memberNames,
                    Arrays.stream(Stage.values()).map(s -> s + "=" + p.template(s).version()).toList());
        }
        TextRecognizer recognizer = new TextRecognizer(pipeline,
                spec.splitter() != null ? spec.splitter() : new BreakIteratorSplitter(Locale.ROOT),
                spec.windowTokens(), spec.nested(), spec.sentenceParallelism());
        return new Assembly(recognizer, owned, ownedExecutor);
    }

    /** Creates or takes the members and checks their names. */
    private List<ModelMember> members() {
        List<ModelMember> built = new ArrayList<>();
        List<ComponentChoice<ModelMember>> members = spec.members();
        for (int i = 0; i < members.size(); i++) {
            ModelMember m;
            if (members.get(i) instanceof ComponentChoice.Named<ModelMember> n) {
                try {
                    m = Providers.byName(ModelMemberProvider.class, n.provider(), loader)
                            .create(config("member #" + (i + 1) + " (" + n.provider() + ")", n.parameters()));
                } catch (El4nerConfigurationException e) {
                    problems.addAll(e.problems());
                    // its name, when the configuration gives it, still counts for the weights and the verifier
                    if (n.parameters().get("name") instanceof String given && !given.isBlank() && names.add(given)) {
                        memberNames.add(given);
                    } else {
                        allNamesKnown = false;
                    }
                    continue;
                }
                if (m == null) {
                    problems.add("provider '" + n.provider() + "' created no member");
                    allNamesKnown = false;
                    continue;
                }
                owned.add(m);
            } else {
                m = ((ComponentChoice.Given<ModelMember>) members.get(i)).instance();
            }
            if (m.name() == null || m.name().isBlank()) {
                problems.add("member #" + (i + 1) + " has no name");
                allNamesKnown = false;
                continue;
            }
            if (!names.add(m.name())) {
                problems.add("two members are named '" + m.name() + "'; member names must be unique");
            } else {
                memberNames.add(m.name());
            }
            built.add(m);
        }
        return built;
    }

    /** The retriever, used only when there is a pool and k > 0. */
    private Optional<Retriever> retriever() {
        ComponentChoice<Retriever> choice = spec.retriever();
        if (spec.pool().isEmpty() || spec.k() <= 0) {
            if (choice != null) {
                log.warn("a retriever is configured but there is no demonstration pool (or k = 0): it is not used");
            }
            return Optional.empty();
        }
        if (choice instanceof ComponentChoice.Given<Retriever> given) {
            return Optional.of(given.instance());
        }
        ComponentChoice.Named<Retriever> n = (ComponentChoice.Named<Retriever>) choice;
        try {
            RetrieverProvider p = n != null
                    ? Providers.byName(RetrieverProvider.class, n.provider(), loader)
                    : Providers.single(RetrieverProvider.class, "el4ner.retriever", loader);
            Retriever created = p.create(config("retriever " + p.name(), n != null ? n.parameters() : Map.of()));
            owned.add(created);
            return Optional.of(created);
        } catch (El4nerConfigurationException e) {
            problems.addAll(e.problems());
            return Optional.empty();
        }
    }

    /** The aggregator: given, made by a provider (and owned), or the built-in vote. */
    private Aggregator aggregator() {
        ComponentChoice<Aggregator> choice = spec.aggregator();
        if (choice instanceof ComponentChoice.Given<Aggregator> given) {
            return given.instance();
        }
        ComponentChoice.Named<Aggregator> n = (ComponentChoice.Named<Aggregator>) choice;
        if (n == null && System.getProperty("el4ner.aggregator") == null) {
            return new VotingAggregator(spec.quorum(), spec.weights());
        }
        try {
            AggregatorProvider p = n != null
                    ? Providers.byName(AggregatorProvider.class, n.provider(), loader)
                    : Providers.single(AggregatorProvider.class, "el4ner.aggregator", loader);
            Aggregator a = p.create(config("aggregator " + p.name(), n != null ? n.parameters() : Map.of()));
            if (a != null) {
                owned.add(a);
            }
            return a;
        } catch (El4nerConfigurationException e) {
            problems.addAll(e.problems());
            return null;
        }
    }

    /** The validator: given, made by a provider (and owned), self-validation, or none. */
    private Optional<Validator> validator(Prompts p) {
        ComponentChoice<Validator> choice = spec.validator();
        if (choice instanceof ComponentChoice.Given<Validator> given) {
            return Optional.of(given.instance());
        }
        if (choice instanceof ComponentChoice.Named<Validator> n) {
            Optional<Validator> v = Optional.empty();
            try {
                Validator created = Providers.byName(ValidatorProvider.class, n.provider(), loader)
                        .create(config("validator " + n.provider(), n.parameters()));
                owned.add(created);
                v = Optional.of(created instanceof SelfValidator sv ? sv.withPrompts(p) : created);
            } catch (El4nerConfigurationException e) {
                problems.addAll(e.problems());
            }
            if (allNamesKnown && v.isPresent() && v.get() instanceof SelfValidator sv
                    && sv.verifier().isPresent() && !names.contains(sv.verifier().get())) {
                problems.add("verifier '" + sv.verifier().get() + "' is not a member; members: " + memberNames);
            }
            return v;
        }
        if (spec.validation() == ValidationMode.NONE) {
            if (spec.verifier() != null) {
                problems.add("a verifier is set but validation is NONE");
            }
            return Optional.empty();
        }
        return Optional.of(new SelfValidator(spec.validation(), Optional.ofNullable(spec.verifier()), p));
    }

    private ComponentConfig config(String component, Map<String, Object> parameters) {
        return new ComponentConfig(component, parameters, spec.types(), spec.pool(), spec.baseDirectory());
    }
}
