package io.el4ner.api;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * A configuration that cannot work: an unknown or ambiguous provider name, a missing or malformed parameter, an
 * impossible combination of options. The message names what to fix and, where there is a choice, lists the
 * alternatives. One exception can carry several problems found at once ({@link #problems()}), so that they can all
 * be fixed in one go.
 *
 * @since 0.1
 */
public class El4nerConfigurationException extends El4nerException {
    private static final long serialVersionUID = 1L;
    /** Redacted when made; null only after deserialisation, where the message stands for them. */
    private final transient List<String> problems;

    /** @param message what is wrong and how to fix it */
    public El4nerConfigurationException(String message) {
        super(message);
        this.problems = Collections.singletonList(Redaction.redact(message));
    }

    /**
     * @param message what is wrong and how to fix it
     * @param cause the underlying failure
     */
    public El4nerConfigurationException(String message, Throwable cause) {
        super(message, cause);
        this.problems = Collections.singletonList(Redaction.redact(message));
    }

    /**
     * One exception for several problems. Its message is the problem itself when there is one, else their count
     * followed by each of them, separated by {@code "; "}.
     *
     * @param problems what is wrong and how to fix it, one sentence each, in the order found; at least one
     * @throws IllegalArgumentException if there is no problem
     * @throws NullPointerException if the list or a problem is null
     */
    public El4nerConfigurationException(List<String> problems) {
        super(message(problems));
        List<String> redacted = new ArrayList<>(problems.size());
        problems.forEach(p -> redacted.add(Redaction.redact(p)));
        this.problems = Collections.unmodifiableList(redacted);
    }

    private static String message(List<String> problems) {
        Objects.requireNonNull(problems, "problems");
        problems.forEach(p -> Objects.requireNonNull(p, "a problem is null"));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a configuration exception needs at least one problem");
        }
        return problems.size() == 1 ? problems.get(0)
                : problems.size() + " configuration problems: " + String.join("; ", problems);
    }

    /**
     * Every problem this exception reports, each one a sentence that names what to fix; one for an exception made
     * from a single message.
     *
     * @return the problems, in the order they were found, with every secret {@linkplain Redaction registered} by now
     *         masked; never empty
     */
    public List<String> problems() {
        if (problems == null) {
            return List.of(String.valueOf(getMessage()));
        }
        List<String> out = new ArrayList<>(problems.size());
        problems.forEach(p -> out.add(Redaction.redact(p)));
        return Collections.unmodifiableList(out);
    }
}
