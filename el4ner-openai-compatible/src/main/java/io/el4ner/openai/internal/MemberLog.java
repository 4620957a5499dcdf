package io.el4ner.openai.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The member's one logger. Users turn its lines on and off by the public class's name, so the internals that act
 * for a member log under that name too.
 */
final class MemberLog {
    /** The logger named {@code io.el4ner.openai.OpenAiCompatibleMember}. */
    static final Logger LOG = LoggerFactory.getLogger("io.el4ner.openai.OpenAiCompatibleMember");

    private MemberLog() {
    }
}
