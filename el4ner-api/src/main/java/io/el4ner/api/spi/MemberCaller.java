package io.el4ner.api.spi;

import io.el4ner.api.ChatRequest;
import io.el4ner.api.ChatResponse;
import io.el4ner.api.Diagnostic;
import java.util.List;
import java.util.Map;

/**
 * Lets a {@link Validator} call the ensemble's members through el4ner, so that its calls are timed out, counted
 * in the result's usage and their failures reported, like every other stage's.
 *
 * @since 0.1
 */
public interface MemberCaller {
    /** @return the names of the members that may be called, in ensemble order */
    List<String> memberNames();

    /**
     * Calls several members with the same request, concurrently.
     *
     * @param members names from {@link #memberNames()}
     * @param request the request
     * @return the answers of the members that succeeded, in the order of {@code members}; failures are
     *     reported as diagnostics and left out
     * @throws IllegalArgumentException for an unknown member name
     */
    Map<String, ChatResponse> callAll(List<String> members, ChatRequest request);

    /**
     * Reports a problem found in an answer (an unparseable output, say).
     *
     * @param diagnostic what happened
     */
    void report(Diagnostic diagnostic);
}
