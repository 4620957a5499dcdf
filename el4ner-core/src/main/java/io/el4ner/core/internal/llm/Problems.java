package io.el4ner.core.internal.llm;

import io.el4ner.api.Redaction;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The problems of one parse: the first {@link ResponseParser#MAX_PROBLEMS} listed, the others counted, each
 * redacted and cut, so that a hostile answer with a million problems costs no more than one with twenty.
 */
final class Problems {
    final List<String> listed = new ArrayList<>();
    int omitted;

    /** Builds the text only when it is listed: a hostile answer can have a million problems. */
    void add(Supplier<String> problem) {
        if (listed.size() < ResponseParser.MAX_PROBLEMS) {
            listed.add(Redaction.excerpt(problem.get(), ResponseParser.MAX_PROBLEM_CHARS));
        } else {
            omitted++;
        }
    }

    void add(String problem) {
        add(() -> problem);
    }

    void addAll(Problems other) {
        for (String p : other.listed) {
            add(p);
        }
        omitted += other.omitted;
    }
}
