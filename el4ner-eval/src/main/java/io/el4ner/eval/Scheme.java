package io.el4ner.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Tagging schemes of CoNLL-style column files, with decoding of tags to entities, encoding of entities to tags,
 * and conversion between schemes.
 *
 * <p>A tag is {@code O} or a prefix {@code B-}, {@code I-}, {@code E-} or {@code S-} followed by a non-blank
 * type. Anything else ({@code X-PER}, {@code PER}, {@code b-PER}, {@code B-}) is malformed in every scheme and
 * mode: {@link #decode} throws, and {@link ConllReader} reports the file and line.
 *
 * <p>{@link #decode} is lenient and the same for all schemes, with the rules of {@code conlleval.pl}: an entity
 * starts at {@code B-} and {@code S-}, and at {@code I-}/{@code E-} that do not continue an open entity of the same
 * type; it ends before {@code O}, {@code B-}, {@code S-} or a change of type, and after {@code E-} and
 * {@code S-}. A well-formed sequence of any of the three schemes decodes to its entities this way, so the scheme
 * only matters for {@link #decodeStrict} (which rejects sequences the scheme does not allow) and for
 * {@link #encode}.
 *
 * @since 0.1
 */
public enum Scheme {
    /** IOB1 (CoNLL-2003): {@code I-} inside and at the start of an entity; {@code B-} only to start an entity
     * right after another of the same type. */
    IOB1,
    /** IOB2: every entity starts with {@code B-}, continues with {@code I-}. */
    IOB2,
    /** BIOES (BILOU): {@code B-} begin, {@code I-} inside, {@code E-} end, {@code S-} single-token entity. */
    BIOES;

    /**
     * @param name {@code iob1}, {@code iob2} or {@code bioes} (also {@code bilou}, {@code iobes}), any case
     * @return the scheme
     * @throws IllegalArgumentException naming the accepted values
     */
    public static Scheme parse(String name) {
        String n = name.strip().toLowerCase(Locale.ROOT);
        return switch (n) {
            case "iob1" -> IOB1;
            case "iob2", "bio" -> IOB2;
            case "bioes", "iobes", "bilou" -> BIOES;
            default -> throw new IllegalArgumentException("unknown scheme '" + name + "'; use iob1, iob2 or bioes");
        };
    }

    /**
     * @param tag a tag
     * @return whether it is {@code O} or {@code B-}, {@code I-}, {@code E-}, {@code S-} followed by a non-blank type
     */
    public static boolean isWellFormed(String tag) {
        return tag.equals("O") || tag.length() > 2 && tag.charAt(1) == '-' && "BIES".indexOf(tag.charAt(0)) >= 0
                && !tag.substring(2).isBlank();
    }

    /**
     * Decodes tags to entities leniently ({@code conlleval.pl} rules, see the class comment); the result is the
     * same whatever the scheme.
     *
     * @param tags one tag per token
     * @return the entities in order, never overlapping
     * @throws IllegalArgumentException if a tag is malformed, naming its index
     */
    public static List<TokenSpan> decode(List<String> tags) {
        List<TokenSpan> spans = new ArrayList<>();
        int start = -1;
        String type = null;
        for (int i = 0; i < tags.size(); i++) {
            String tag = tags.get(i);
            char p = prefix(tag, i);
            String t = p == 'O' ? null : tag.substring(2);
            boolean continues = start >= 0 && (p == 'I' || p == 'E') && t.equals(type);
            if (start >= 0 && !continues) {
                spans.add(new TokenSpan(start, i, type));
                start = -1;
            }
            if (p != 'O' && start < 0) {
                start = i;
                type = t;
            }
            if (p == 'E' || p == 'S') {
                spans.add(new TokenSpan(start, i + 1, type));
                start = -1;
            }
        }
        if (start >= 0) {
            spans.add(new TokenSpan(start, tags.size(), type));
        }
        return spans;
    }

    /**
     * Decodes tags that must follow this scheme exactly.
     *
     * @param tags one tag per token
     * @return the entities in order
     * @throws IllegalArgumentException at the first malformed tag or tag this scheme does not allow there, naming
     *     its index and why
     */
    public List<TokenSpan> decodeStrict(List<String> tags) {
        for (int i = 0; i < tags.size(); i++) {
            String problem = violation(tags, i);
            if (problem != null) {
                throw new IllegalArgumentException("tag " + i + ": " + problem);
            }
        }
        return decode(tags);
    }

    /**
     * @param tags one tag per token
     * @param i the index to check
     * @return why tag {@code i} is malformed or not allowed there by this scheme, or {@code null} if it is fine
     */
    String violation(List<String> tags, int i) {
        String tag = tags.get(i);
        if (!isWellFormed(tag)) {
            return malformed(tag);
        }
        char p = tag.charAt(0);
        String prev = i > 0 ? tags.get(i - 1) : "O";
        char pp = isWellFormed(prev) ? prev.charAt(0) : 'O';
        boolean sameType = pp != 'O' && prev.substring(2).equals(tag.substring(Math.min(2, tag.length())));
        if (this != BIOES) {
            if (p == 'E' || p == 'S') {
                return "'" + tag + "' is not an " + this + " tag (E- and S- belong to BIOES)";
            }
            if (this == IOB1 && p == 'B' && !sameType) {
                return "'" + tag + "' after '" + prev + "': in IOB1, B- only starts an entity right after one of"
                        + " the same type (use I-)";
            }
            if (this == IOB2 && p == 'I' && !sameType) {
                return "'" + tag + "' after '" + prev + "': in IOB2 an entity starts with B-";
            }
            return null;
        }
        boolean prevOpen = pp == 'B' || pp == 'I';
        if (prevOpen && !((p == 'I' || p == 'E') && sameType)) {
            return "'" + tag + "' after '" + prev + "': in BIOES an entity ends with E-";
        }
        if (!prevOpen && (p == 'I' || p == 'E')) {
            return "'" + tag + "' after '" + prev + "': in BIOES an entity starts with B- or is S-";
        }
        if (i == tags.size() - 1 && (p == 'B' || p == 'I')) {
            return "'" + tag + "' ends the sentence: in BIOES an entity ends with E- or is S-";
        }
        return null;
    }

    /**
     * Encodes entities as tags of this scheme. In IOB1, an entity starts with {@code B-} only when it directly
     * follows an entity of the same type.
     *
     * @param length the number of tokens
     * @param spans the entities, in any order; they must lie in {@code [0, length)} and not overlap
     * @return one tag per token
     * @throws IllegalArgumentException if a span lies outside the tokens or two spans overlap
     */
    public List<String> encode(int length, Collection<TokenSpan> spans) {
        String[] tags = new String[length];
        Arrays.fill(tags, "O");
        List<TokenSpan> sorted = new ArrayList<>(spans);
        sorted.sort(Comparator.comparingInt(TokenSpan::start).thenComparingInt(TokenSpan::end));
        TokenSpan prev = null;
        for (TokenSpan s : sorted) {
            if (s.end() > length) {
                throw new IllegalArgumentException(s + " lies outside the " + length + " tokens");
            }
            if (prev != null && s.start() < prev.end()) {
                throw new IllegalArgumentException(prev + " and " + s + " overlap; tags cannot encode that");
            }
            String type = s.type();
            boolean adjacentSameType = prev != null && prev.end() == s.start() && prev.type().equals(type);
            for (int i = s.start(); i < s.end(); i++) {
                tags[i] = "I-" + type;
            }
            switch (this) {
                case IOB1 -> tags[s.start()] = (adjacentSameType ? "B-" : "I-") + type;
                case IOB2 -> tags[s.start()] = "B-" + type;
                case BIOES -> {
                    if (s.length() == 1) {
                        tags[s.start()] = "S-" + type;
                    } else {
                        tags[s.start()] = "B-" + type;
                        tags[s.end() - 1] = "E-" + type;
                    }
                }
            }
            prev = s;
        }
        return List.of(tags);
    }

    /**
     * Converts tags of any scheme to {@code target}: {@code target.encode(tags.size(), decode(tags))}.
     *
     * @param tags one tag per token
     * @param target the scheme of the result
     * @return one tag per token, in {@code target}
     * @throws IllegalArgumentException if a tag is malformed
     */
    public static List<String> convert(List<String> tags, Scheme target) {
        return target.encode(tags.size(), decode(tags));
    }

    private static char prefix(String tag, int i) {
        if (!isWellFormed(tag)) {
            throw new IllegalArgumentException("tag " + i + ": " + malformed(tag));
        }
        return tag.charAt(0);
    }

    private static String malformed(String tag) {
        return "'" + tag + "' is not a tag: use O, or B-, I-, E- or S- followed by a type";
    }
}
