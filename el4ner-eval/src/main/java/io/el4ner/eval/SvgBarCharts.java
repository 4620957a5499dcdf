package io.el4ner.eval;

import static io.el4ner.eval.Html.count;
import static io.el4ner.eval.Html.esc;
import static io.el4ner.eval.Html.f;
import static io.el4ner.eval.Html.num;
import static io.el4ner.eval.Html.pct;


import java.util.List;
import java.util.Locale;

/**
 * Writes the HTML report's figures: horizontal bar charts in inline SVG on a labelled value axis, numbered in
 * page order, each with an SVG {@code title} and {@code desc}, and each bar with a {@code title} giving its exact
 * numbers.
 */
final class SvgBarCharts {
    /** Chart width in SVG user units (pixels at 100%). */
    static final int WIDTH = 820;
    private static final double CHAR_W = 6.8; // mean advance of a 12px sans-serif character, generous
    private static final int MAX_LABEL_CHARS = 34;

    private final StringBuilder sb;
    private int figures;

    /** @param sb the page the figures are appended to */
    SvgBarCharts(StringBuilder sb) {
        this.sb = sb;
    }

    // --- charts --------------------------------------------------------------------------------------------------

    /** A part of a bar; in a legend, only colour and name count. */
    record Seg(double value, String colour, String name) {
    }

    /** A bar: stacked segments, an optional interval (error bar), the text at its end and a tooltip. */
    record Bar(String label, List<Seg> segs, Double low, Double high, String valueText, String tooltip) {
        double end() {
            return segs.stream().mapToDouble(Seg::value).sum();
        }
    }

    /** Bars drawn together under one label (grouped bars), or one bar each with its own label (label null). */
    record Group(String label, List<Bar> bars) {
    }

    /** A value axis from 0 to {@code max} with a tick every {@code step}. */
    record Axis(double max, double step, String title, boolean percent) {
        static Axis percent(String title) {
            return new Axis(1, 0.1, title, true);
        }

        static Axis nice(double dataMax, String title) {
            if (!(dataMax > 0)) {
                return new Axis(1, 0.2, title, false);
            }
            double raw = dataMax / 5;
            double mag = Math.pow(10, Math.floor(Math.log10(raw)));
            double norm = raw / mag;
            double step = (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 2.5 ? 2.5 : norm <= 5 ? 5 : 10) * mag;
            double max = Math.ceil(dataMax / step - 1e-9) * step;
            return new Axis(max, step, title, false);
        }

        String label(double v) {
            if (percent) {
                return String.format(Locale.ROOT, "%.0f", v * 100);
            }
            if (step >= 1 && Math.rint(step) == step) {
                return String.format(Locale.ROOT, "%,.0f", v);
            }
            int decimals = (int) Math.max(1, Math.ceil(-Math.log10(step) - 1e-9));
            if (Math.abs(Math.rint(step * Math.pow(10, decimals)) - step * Math.pow(10, decimals)) > 1e-6) {
                decimals++;
            }
            return String.format(Locale.ROOT, "%." + decimals + "f", v);
        }

        int ticks() {
            return (int) Math.round(max / step);
        }
    }

    static double max(List<Bar> bars) {
        return bars.stream().mapToDouble(b -> Math.max(b.end(), b.high() == null ? 0 : b.high())).max().orElse(0);
    }

    private static final int BAR = 16;
    private static final int SLOT = 24;
    private static final int GROUPED_BAR = 11;
    private static final int GROUPED_SLOT = 13;
    private static final int GROUP_GAP = 10;
    private static final int VALUE_W = 56;

    /**
     * Writes a figure with a horizontal bar chart: labels on the left, bars on a value axis (ticks, gridlines and
     * the axis title at the bottom), the value at the end of each bar, an error bar where the bar has an interval.
     */
    void chart(String id, String title, String desc, List<Seg> legend, List<Group> groups, Axis axis) {
        boolean grouped = groups.stream().anyMatch(g -> g.label() != null);
        int longest = 0;
        for (Group g : groups) {
            if (g.label() != null) {
                longest = Math.max(longest, shortened(g.label()).length());
            }
            for (Bar b : g.bars()) {
                longest = Math.max(longest, shortened(b.label()).length());
            }
        }
        int labelW = (int) Math.max(70, Math.min(MAX_LABEL_CHARS * CHAR_W, longest * CHAR_W) + 14);
        int plotX = labelW;
        int plotW = WIDTH - labelW - VALUE_W;
        int top = legend == null ? 10 : 34;
        int y = top;
        StringBuilder bars = new StringBuilder();
        for (int gi = 0; gi < groups.size(); gi++) {
            Group g = groups.get(gi);
            int slot = grouped ? GROUPED_SLOT : SLOT;
            int bar = grouped ? GROUPED_BAR : BAR;
            if (grouped && gi > 0) {
                y += GROUP_GAP;
            }
            int groupTop = y;
            if (g.label() != null) {
                bars.append("<g class=\"group\"><title>").append(esc(g.label())).append("</title><text class=\"label\" x=\"")
                        .append(plotX - 8).append("\" y=\"").append(f(groupTop + g.bars().size() * slot / 2.0 + 4))
                        .append("\" text-anchor=\"end\">").append(esc(shortened(g.label()))).append("</text></g>");
            }
            for (Bar b : g.bars()) {
                double cy = y + slot / 2.0;
                bars.append("<g class=\"bar\"><title>").append(esc(b.tooltip())).append("</title>");
                if (!b.label().isEmpty()) {
                    bars.append("<text class=\"label\" x=\"").append(plotX - 8).append("\" y=\"").append(f(cy + 4))
                            .append("\" text-anchor=\"end\">").append(esc(shortened(b.label()))).append("</text>");
                }
                double x = 0;
                for (Seg s : b.segs()) {
                    double x0 = xOf(x, axis, plotX, plotW);
                    double x1 = xOf(x + s.value(), axis, plotX, plotW);
                    bars.append("<rect x=\"").append(f(x0)).append("\" y=\"").append(f(cy - bar / 2.0))
                            .append("\" width=\"").append(f(Math.max(0, x1 - x0))).append("\" height=\"").append(bar)
                            .append("\" fill=\"").append(s.colour()).append("\"/>");
                    if (b.segs().size() > 1 && s.value() > 0) {
                        String n = axis.percent() ? pct(s.value())
                                : Math.rint(s.value()) == s.value() ? count((long) s.value()) : num(s.value());
                        if (x1 - x0 > n.length() * CHAR_W + 6) {
                            bars.append("<text class=\"seg-value\" x=\"").append(f((x0 + x1) / 2)).append("\" y=\"")
                                    .append(f(cy + 4)).append("\" text-anchor=\"middle\" font-size=\"11\" style=\"fill:")
                                    .append(textOn(s.colour())).append("\">").append(n).append("</text>");
                        }
                    }
                    x += s.value();
                }
                double end = xOf(x, axis, plotX, plotW);
                if (b.low() != null && b.high() != null) {
                    double lo = xOf(b.low(), axis, plotX, plotW);
                    double hi = xOf(b.high(), axis, plotX, plotW);
                    double cap = bar / 2.0 - 1;
                    bars.append("<g class=\"ci\" stroke=\"#000\" stroke-width=\"1.6\"><line class=\"ci-range\" x1=\"")
                            .append(f(lo)).append("\" y1=\"").append(f(cy)).append("\" x2=\"").append(f(hi))
                            .append("\" y2=\"").append(f(cy)).append("\"/>");
                    for (double cx : new double[] {lo, hi}) {
                        bars.append("<line class=\"ci-cap\" x1=\"").append(f(cx)).append("\" y1=\"").append(f(cy - cap))
                                .append("\" x2=\"").append(f(cx)).append("\" y2=\"").append(f(cy + cap)).append("\"/>");
                    }
                    bars.append("</g>");
                    end = Math.max(end, hi);
                }
                bars.append("<text class=\"value\" x=\"").append(f(end + 5)).append("\" y=\"").append(f(cy + 4))
                        .append("\" font-size=\"11\">").append(esc(b.valueText())).append("</text></g>");
                y += slot;
            }
        }
        int plotBottom = y + 4;
        int height = plotBottom + 44;
        figures++;
        sb.append("<figure>\n<figcaption>Figure ").append(figures).append(". ").append(esc(title)).append("</figcaption>\n<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"").append(id)
                .append("\" class=\"chart\" role=\"img\" aria-labelledby=\"").append(id).append("-title ").append(id)
                .append("-desc\" width=\"").append(WIDTH).append("\" height=\"").append(height)
                .append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(height)
                .append("\" font-size=\"12\">\n<title id=\"").append(id).append("-title\">").append(esc(title))
                .append("</title>\n<desc id=\"").append(id).append("-desc\">").append(esc(desc)).append("</desc>\n");
        if (legend != null) {
            sb.append("<g class=\"legend\">");
            double lx = plotX;
            for (Seg s : legend) {
                sb.append("<rect x=\"").append(f(lx)).append("\" y=\"8\" width=\"12\" height=\"12\" fill=\"")
                        .append(s.colour()).append("\"/><text x=\"").append(f(lx + 17)).append("\" y=\"18\">")
                        .append(esc(s.name())).append("</text>");
                lx += 17 + s.name().length() * CHAR_W + 18;
            }
            sb.append("</g>\n");
        }
        // gridlines and axis under the bars
        sb.append("<g class=\"grid\" stroke=\"#e3e3e3\" stroke-width=\"1\">");
        for (int i = 1; i <= axis.ticks(); i++) {
            double gx = xOf(i * axis.step(), axis, plotX, plotW);
            sb.append("<line x1=\"").append(f(gx)).append("\" y1=\"").append(top).append("\" x2=\"").append(f(gx))
                    .append("\" y2=\"").append(plotBottom).append("\"/>");
        }
        sb.append("</g>\n<g class=\"axis\"><line class=\"axis-line\" x1=\"").append(plotX).append("\" y1=\"")
                .append(plotBottom).append("\" x2=\"").append(plotX + plotW).append("\" y2=\"").append(plotBottom)
                .append("\" stroke=\"#555\"/><line class=\"axis-line\" x1=\"").append(plotX).append("\" y1=\"")
                .append(top).append("\" x2=\"").append(plotX).append("\" y2=\"").append(plotBottom)
                .append("\" stroke=\"#555\"/>");
        for (int i = 0; i <= axis.ticks(); i++) {
            double tx = xOf(i * axis.step(), axis, plotX, plotW);
            sb.append("<g class=\"tick\"><line x1=\"").append(f(tx)).append("\" y1=\"").append(plotBottom)
                    .append("\" x2=\"").append(f(tx)).append("\" y2=\"").append(plotBottom + 5)
                    .append("\" stroke=\"#555\"/><text class=\"tick-label\" x=\"").append(f(tx)).append("\" y=\"")
                    .append(plotBottom + 18).append("\" text-anchor=\"middle\" font-size=\"11\">")
                    .append(axis.label(i * axis.step())).append("</text></g>");
        }
        sb.append("<text class=\"axis-title\" x=\"").append(f(plotX + plotW / 2.0)).append("\" y=\"")
                .append(plotBottom + 36).append("\" text-anchor=\"middle\">").append(esc(axis.title()))
                .append("</text></g>\n").append(bars).append("\n</svg>\n</figure>\n");
    }

    private static double xOf(double v, Axis axis, int plotX, int plotW) {
        double r = v / axis.max();
        return plotX + plotW * Math.max(0, Math.min(1, Double.isNaN(r) ? 0 : r));
    }

    private static String shortened(String label) {
        return label.length() <= MAX_LABEL_CHARS ? label
                : label.substring(0, MAX_LABEL_CHARS - 1) + "\u2026";
    }

    /** Black or white text, whichever reads better on a fill colour ({@code #RRGGBB}). */
    private static String textOn(String colour) {
        int r = Integer.parseInt(colour.substring(1, 3), 16);
        int g = Integer.parseInt(colour.substring(3, 5), 16);
        int b = Integer.parseInt(colour.substring(5, 7), 16);
        return 0.299 * r + 0.587 * g + 0.114 * b > 140 ? "#000" : "#fff";
    }
}
