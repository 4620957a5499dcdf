package io.el4ner.onnx.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.el4ner.api.AnswerContract.StringShape;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The automaton of substrings of the sentence, against the contract's own rule. */
class SubstringMatcherTest extends JsonConstraintFixtures {
    /** The substring automaton closes after exactly the canonical spellings of the strings the contract allows. */
    @Test
    void substringMatcher_acceptsExactlyTheAllowedSubstrings() {
        SplittableRandom random = new SplittableRandom(11);
        String alphabet = "ab \"\\\n\u0001\u00e9\ud83d\ude00\u0301\u00a0\ud800";
        int accepted = 0;
        for (int round = 0; round < 400; round++) {
            String sentence = randomText(alphabet, random, 1 + random.nextInt(9));
            SubstringMatcher m = new SubstringMatcher(sentence);
            List<String> candidates = new ArrayList<>();
            for (int i = 0; i <= sentence.length(); i++) {
                for (int j = i; j <= sentence.length(); j++) {
                    candidates.add(sentence.substring(i, j));
                }
            }
            for (int k = 0; k < 20; k++) {
                candidates.add(randomText(alphabet, random, 1 + random.nextInt(4)));
            }
            for (String v : candidates) {
                SubstringMatcher.ByteSink b = new SubstringMatcher.ByteSink(8);
                for (int i = 0; i < v.length(); ) {
                    int cp = v.codePointAt(i);
                    SubstringMatcher.escape(cp, b);
                    i += Character.charCount(cp);
                }
                int[] set = m.initial();
                int len = set.length;
                byte[] bytes = b.toArray();
                for (int i = 0; i < bytes.length && len > 0; i++) {
                    int[] next = new int[len];
                    len = m.advance(set, len, bytes[i] & 0xFF, next);
                    set = next;
                }
                boolean closes = bytes.length > 0 && len > 0 && m.closable(set, len);
                assertThat(closes).as("'%s' in '%s'", v, sentence)
                        .isEqualTo(StringShape.substringOfSentence().allows(v, sentence));
                accepted += closes ? 1 : 0;
            }
        }
        assertThat(accepted).isGreaterThan(2_000);
    }
}
