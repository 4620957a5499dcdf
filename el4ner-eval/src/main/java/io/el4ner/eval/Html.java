package io.el4ner.eval;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;

/**
 * The HTML report's small pieces: the colour palette, escaping of the run's texts, table headers, colour swatches
 * and number formats, shared by its sections and its charts.
 */
final class Html {
    // Okabe–Ito colours: distinguishable with colour-blindness and in greyscale print by their lightness
    static final String BLUE = "#0072B2";
    static final String SKY = "#56B4E9";
    static final String ORANGE = "#E69F00";
    static final String GREEN = "#009E73";
    static final String VERMILLION = "#D55E00";
    static final String PURPLE = "#CC79A7";
    static final String GREY = "#999999";

    private Html() {
    }

    static String swatch(String colour) {
        return "<span class=\"swatch\" style=\"background:" + colour + "\" aria-hidden=\"true\"></span>";
    }

    static String th(String text) {
        return th(text, false);
    }

    static String th(String text, boolean left) {
        return "<th scope=\"col\"" + (left ? " class=\"text\"" : "") + ">" + esc(text) + "</th>";
    }

    // --- formatting ----------------------------------------------------------------------------------------------

    static String f(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    static String pct(JsonNode n) {
        return pct(n.asDouble());
    }

    static String pct(double v) {
        return String.format(Locale.ROOT, "%.1f", 100 * v);
    }

    static String count(JsonNode n) {
        return count(n.asLong());
    }

    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    static String num(double v) {
        return String.format(Locale.ROOT, v >= 100 ? "%,.0f" : "%.2f", v);
    }

    static String tokens(double v) {
        return String.format(Locale.ROOT, v >= 100 ? "%,.0f" : "%.1f", v);
    }

    static String ms(double v) {
        return String.format(Locale.ROOT, v >= 100 ? "%,.0f" : v >= 1 || v == 0 ? "%.1f" : "%.2f", v);
    }

    static String seconds(long millis) {
        return String.format(Locale.ROOT, "%,.1f", millis / 1000.0);
    }

    /**
     * @param s text from the run
     * @return it escaped for XML and HTML text and attribute values, with what XML 1.0 cannot hold (control
     *     characters, unpaired surrogates, U+FFFE, U+FFFF) replaced by U+FFFD
     */
    static String esc(String s) {
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> {
                    if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                        out.append(c).append(s.charAt(++i));
                    } else if (Character.isSurrogate(c) || (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
                            || c == '\uFFFE' || c == '\uFFFF' || (c >= 0x7F && c <= 0x9F)) {
                        out.append('\uFFFD');
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }
}
