package io.el4ner.core.internal.exec;

import io.el4ner.api.ChatRequest;
import io.el4ner.api.Diagnostic;
import io.el4ner.api.spi.MemberCaller;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The pipeline's own {@link MemberCaller}, which can also read each answer within its call's deadline, so that a
 * built-in validator's parsing is bounded like every other stage's. Validators of plugins see only the SPI.
 */
public interface ReadingMemberCaller extends MemberCaller {
    /**
     * Calls several members with the same request, concurrently, and reads each answer on the member's thread.
     *
     * @param members names from {@link #memberNames()}
     * @param request the request
     * @param parser reads an answer's text
     * @param <T> what the parser reads
     * @return the answers of the members that succeeded, read, in the order of {@code members}
     */
    <T> Map<String, MemberInvoker.Answer<T>> callAll(List<String> members, ChatRequest request,
                                                     Function<String, T> parser);

    /**
     * Reports a validation diagnostic, made only when it will be listed.
     *
     * @param kind its kind
     * @param member its member
     * @param diagnostic makes it, with the same kind and member, stage validation
     */
    void report(Diagnostic.Kind kind, String member, Supplier<Diagnostic> diagnostic);

    /**
     * Counts validation diagnostics that were not made (a parser listed only an answer's first problems), for the
     * summary the result carries.
     *
     * @param kind their kind
     * @param member their member
     * @param count how many
     */
    void omitted(Diagnostic.Kind kind, String member, long count);
}
