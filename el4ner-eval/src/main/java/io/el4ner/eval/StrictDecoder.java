package io.el4ner.eval;

import java.util.List;
import java.util.function.Consumer;

/**
 * Entities of one tag sequence as seqeval's strict mode finds them. IOB2: {@code B-T} starts an entity that takes
 * every following {@code I-T}. BIOES: {@code S-T} is an entity; {@code B-T} followed by {@code I-T}s is an entity
 * only when an {@code E-T} closes it. Everything else (an {@code I-} with no {@code B-}, a type change inside,
 * a {@code B-} that is never closed in BIOES) is no entity. IOB1: every {@code B-}/{@code I-}/{@code O} sequence is
 * well formed: an entity starts at {@code B-T} and at an {@code I-T} that does not continue an entity of type
 * {@code T}, and takes every following {@code I-T}.
 */
final class StrictDecoder {
    private StrictDecoder() {
    }

    /** A parsed tag: prefix letter ('O' for outside) and type ("" for outside). */
    private record Tag(char prefix, String type) {
    }

    /**
     * @param column "gold ", "predicted " or "" for the error message
     */
    static void entities(int sentenceIndex, List<String> tags, int firstLine, String column, Scheme scheme,
                         Consumer<ScoredSpan> sink) {
        int n = tags.size();
        Tag[] parsed = new Tag[n];
        for (int t = 0; t < n; t++) {
            parsed[t] = parse(tags.get(t), scheme, sentenceIndex, t, firstLine, column);
        }
        if (scheme == Scheme.IOB1) {
            iob1(sentenceIndex, parsed, sink);
            return;
        }
        int i = 0;
        while (i < n) {
            Tag tag = parsed[i];
            if (tag.prefix == 'S') {
                sink.accept(new ScoredSpan(sentenceIndex, i, i + 1, tag.type));
                i++;
            } else if (tag.prefix == 'B') {
                int j = i + 1;
                char last = 'B';
                while (j < n && last != 'E' && isInside(parsed[j], tag.type, scheme)) {
                    last = parsed[j].prefix;
                    j++;
                }
                if (scheme == Scheme.IOB2 || last == 'E') {
                    sink.accept(new ScoredSpan(sentenceIndex, i, j, tag.type));
                }
                i = j;
            } else {
                i++;
            }
        }
    }

    private static void iob1(int sentenceIndex, Tag[] parsed, Consumer<ScoredSpan> sink) {
        int i = 0;
        while (i < parsed.length) {
            Tag tag = parsed[i];
            if (tag.prefix == 'O') {
                i++;
                continue;
            }
            int j = i + 1;
            while (j < parsed.length && parsed[j].prefix == 'I' && parsed[j].type.equals(tag.type)) {
                j++;
            }
            sink.accept(new ScoredSpan(sentenceIndex, i, j, tag.type));
            i = j;
        }
    }

    private static boolean isInside(Tag tag, String type, Scheme scheme) {
        boolean prefixOk = tag.prefix == 'I' || scheme == Scheme.BIOES && tag.prefix == 'E';
        return prefixOk && tag.type.equals(type);
    }

    private static Tag parse(String tag, Scheme scheme, int sentence, int token, int firstLine, String column) {
        if (tag.equals("O")) {
            return new Tag('O', "");
        }
        int dash = tag.indexOf('-');
        String prefix = dash < 0 ? tag : tag.substring(0, dash);
        String allowed = scheme == Scheme.BIOES ? "BIES" : "BI";
        if (dash != 1 || allowed.indexOf(tag.charAt(0)) < 0 || tag.substring(2).isBlank()) {
            String accepted = scheme == Scheme.BIOES ? "O, B-TYPE, I-TYPE, E-TYPE, S-TYPE" : "O, B-TYPE, I-TYPE";
            String hint = scheme != Scheme.BIOES && (prefix.equals("E") || prefix.equals("S"))
                    ? " (E-/S- tags need the BIOES scheme)" : "";
            throw new StrictTagException(sentence, token, firstLine == 0 ? 0 : firstLine + token, tag,
                    "unknown " + column + "tag '" + tag + "' for strict " + scheme
                            + " scoring; accepted: " + accepted + hint);
        }
        return new Tag(prefix.charAt(0), tag.substring(dash + 1));
    }
}
