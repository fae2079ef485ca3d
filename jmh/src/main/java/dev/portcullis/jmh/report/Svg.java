package dev.portcullis.jmh.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A horizontal grouped bar chart as a standalone SVG: one or more panels (one metric each,
 * linear or log axis), categories down the side, one bar per series, the ± interval as an
 * error bar, the value written at the end of each bar, and caption lines at the foot.
 * Hand-written: the charts need bars, whiskers, ticks and text, nothing a library would add.
 */
final class Svg {
    /** A measured value and its ± half-width (NaN when JMH gave none). */
    record Val(double score, double error) {}

    enum Kind { TIME_NS, BYTES, THROUGHPUT_PER_US, PERCENT }

    /** One metric: values[category][series], null where a series has no such point. */
    record Panel(String title, Kind kind, boolean log, Val[][] values, String missing) {
        Panel(String title, Kind kind, boolean log, Val[][] values) {
            this(title, kind, log, values, "not measured");
        }
    }

    static final String[] COLORS = {"#2f6db3", "#e07b26", "#3a9a4b", "#8c5bb5"};
    private static final int WIDTH = 860;
    private static final int LABEL_W = 270;
    private static final int PLOT_W = 400;
    private static final int BAR_H = 15;
    private static final int BAR_GAP = 3;
    private static final int GROUP_GAP = 12;
    private static final int CAPTION_LINE = 14;

    private Svg() {}

    static String chart(String title, List<String> categories, List<String> series, List<Panel> panels, List<String> caption) {
        StringBuilder body = new StringBuilder();
        int y = 36;
        text(body, 12, 22, title, 15, "bold", "start", "#222");
        if (series.size() > 1) {
            y += 12;
            int lx = LABEL_W;
            for (int s = 0; s < series.size(); s++) {
                body.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>%n", lx, y - 10, COLORS[s]));
                text(body, lx + 16, y, series.get(s), 12, "normal", "start", "#222");
                lx += 24 + 7 * series.get(s).length();
            }
            y += 10;
        }
        for (Panel p : panels) {
            y = panel(body, y + 14, categories, series.size(), p);
        }
        y += 8;
        for (String line : caption) {
            y += CAPTION_LINE;
            text(body, 12, y, line, 10.5, "normal", "start", "#555");
        }
        y += 10;
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + WIDTH + "\" height=\"" + y
                + "\" viewBox=\"0 0 " + WIDTH + " " + y + "\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n"
                + "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n" + body + "</svg>\n";
    }

    private static int panel(StringBuilder b, int top, List<String> categories, int nSeries, Panel p) {
        text(b, 12, top + 4, p.title() + (p.log() ? "  (log scale)" : ""), 12.5, "bold", "start", "#333");
        int y0 = top + 14;
        double lo = Double.POSITIVE_INFINITY;
        double hi = 0;
        for (Val[] row : p.values()) {
            for (Val v : row) {
                if (v == null || !(v.score() > 0)) {
                    continue;
                }
                lo = Math.min(lo, v.score());
                hi = Math.max(hi, Double.isNaN(v.error()) ? v.score() : v.score() + v.error());
            }
        }
        if (hi == 0) {
            hi = 1;
            lo = 1;
        }
        Axis axis = p.log() ? Axis.log(lo, hi) : Axis.linear(hi);
        int groupH = nSeries * BAR_H + (nSeries - 1) * BAR_GAP;
        int plotH = categories.size() * (groupH + GROUP_GAP) - GROUP_GAP + 8;
        int px = LABEL_W;
        // grid and ticks
        for (double t : axis.ticks) {
            int x = px + (int) Math.round(axis.pos(t) * PLOT_W);
            b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#e3e3e3\"/>%n", x, y0, x, y0 + plotH));
            text(b, x, y0 + plotH + 13, format(p.kind(), t, Double.NaN, true), 10, "normal", "middle", "#555");
        }
        b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#999\"/>%n", px, y0, px, y0 + plotH));
        int y = y0 + 4;
        for (int c = 0; c < categories.size(); c++) {
            text(b, px - 8, y + groupH / 2 + 4, categories.get(c), 11.5, "normal", "end", "#222");
            for (int s = 0; s < nSeries; s++) {
                Val v = p.values()[c][s];
                int by = y + s * (BAR_H + BAR_GAP);
                if (v == null) {
                    text(b, px + 4, by + BAR_H - 3, p.missing(), 10, "italic", "start", "#999");
                    continue;
                }
                int w = (int) Math.round(axis.pos(v.score()) * PLOT_W);
                b.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>%n",
                        px, by, Math.max(w, 1), BAR_H, COLORS[s]));
                int end = px + w;
                if (!Double.isNaN(v.error()) && v.error() > 0) {
                    double a = axis.pos(v.score() - v.error());
                    double z = axis.pos(v.score() + v.error());
                    int x1 = px + (int) Math.round(Math.max(0, a) * PLOT_W);
                    int x2 = px + (int) Math.round(Math.min(1.08, z) * PLOT_W);
                    int cy = by + BAR_H / 2;
                    b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#222\" stroke-width=\"1.2\"/>%n", x1, cy, x2, cy));
                    if (a >= 0) {
                        b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#222\" stroke-width=\"1.2\"/>%n", x1, cy - 4, x1, cy + 4));
                    }
                    b.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#222\" stroke-width=\"1.2\"/>%n", x2, cy - 4, x2, cy + 4));
                    end = Math.max(end, x2);
                }
                text(b, end + 5, by + BAR_H - 3, format(p.kind(), v.score(), v.error(), false), 10.5, "normal", "start", "#222");
            }
            y += groupH + GROUP_GAP;
        }
        return y0 + plotH + 20;
    }

    /** Maps a value to [0, 1] of the plot width. */
    private static final class Axis {
        final boolean log;
        final double min;
        final double max;
        final List<Double> ticks = new ArrayList<>();

        private Axis(boolean log, double min, double max) {
            this.log = log;
            this.min = min;
            this.max = max;
        }

        static Axis linear(double hi) {
            double step = niceStep(hi / 5);
            double max = Math.ceil(hi / step) * step;
            Axis a = new Axis(false, 0, max);
            for (int i = 0; i * step <= max + step / 1000; i++) {
                a.ticks.add(i * step);
            }
            return a;
        }

        static Axis log(double lo, double hi) {
            int e0 = (int) Math.floor(Math.log10(lo) - 0.3); // room for the smallest bar to show
            int e1 = (int) Math.ceil(Math.log10(hi));
            if (e1 == e0) {
                e1++;
            }
            Axis a = new Axis(true, e0, e1);
            for (int e = e0; e <= e1; e++) {
                a.ticks.add(Math.pow(10, e));
            }
            return a;
        }

        double pos(double v) {
            if (log) {
                return v <= 0 ? -1 : (Math.log10(v) - min) / (max - min);
            }
            return v / max;
        }

        private static double niceStep(double raw) {
            double e = Math.pow(10, Math.floor(Math.log10(raw)));
            double f = raw / e;
            return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) * e;
        }
    }

    /** A value with its unit, scaled to a readable one; {@code tick} drops the ± and keeps it short. */
    static String format(Kind kind, double v, double err, boolean tick) {
        String unit;
        double scale;
        switch (kind) {
            case TIME_NS -> {
                double a = Math.abs(v);
                if (a >= 1e9) { unit = "s"; scale = 1e9; }
                else if (a >= 1e6) { unit = "ms"; scale = 1e6; }
                else if (a >= 1e3) { unit = "µs"; scale = 1e3; }
                else { unit = "ns"; scale = 1; }
            }
            case BYTES -> {
                double a = Math.abs(v);
                if (a >= 1e6) { unit = "MB"; scale = 1e6; }
                else if (a >= 1e4) { unit = "kB"; scale = 1e3; }
                else { unit = "B"; scale = 1; }
            }
            case THROUGHPUT_PER_US -> { unit = "ops/µs"; scale = 1; }
            default -> { unit = "%"; scale = 0.01; }
        }
        String s = kind == Kind.BYTES && !tick ? bytes(v / scale, scale) : number(v / scale, tick);
        if (!tick && !Double.isNaN(err) && err > 0) {
            s += " ± " + number(err / scale, false, v / scale);
        }
        return s + (kind == Kind.PERCENT ? "" : " ") + unit;
    }

    private static String bytes(double v, double scale) {
        if (scale == 1 && v < 0.5) {
            return "≈ 0";
        }
        if (scale == 1 && v >= 10) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        return number(v, false);
    }

    static String number(double v, boolean tick) {
        return number(v, tick, v);
    }

    /** Three significant figures of {@code like}, thousands grouped. */
    static String number(double v, boolean tick, double like) {
        double a = Math.abs(like);
        if (tick && Math.abs(v - Math.rint(v)) < 1e-9 * Math.max(1, Math.abs(v))) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (a >= 100) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (a >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        if (a >= 1 || a == 0) {
            return String.format(Locale.ROOT, "%.2f", v);
        }
        return String.format(Locale.ROOT, "%.3f", v);
    }

    private static void text(StringBuilder b, double x, double y, String s, double size, String style, String anchor, String fill) {
        String weight = style.equals("bold") ? " font-weight=\"bold\"" : "";
        String italic = style.equals("italic") ? " font-style=\"italic\"" : "";
        b.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%.1f\" text-anchor=\"%s\" fill=\"%s\"%s%s>%s</text>%n",
                x, y, size, anchor, fill, weight, italic, escape(s)));
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
