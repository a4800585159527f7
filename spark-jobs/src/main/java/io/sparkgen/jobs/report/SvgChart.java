package io.sparkgen.jobs.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A line chart as inline SVG: axes with ticks and labels, one polyline with markers per series, a
 * legend. The y axis can be logarithmic (losses); it falls back to linear, and says so, when a value
 * is not positive. All text is escaped.
 */
public final class SvgChart {

  /** Okabe-Ito colours: distinguishable with the common colour-vision deficiencies. */
  static final List<String> COLOURS = List.of("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00",
      "#F0E442", "#000000");
  static final int WIDTH = 640;
  static final int HEIGHT = 340;
  private static final int LEFT = 70;
  private static final int RIGHT = 180;
  private static final int TOP = 30;
  private static final int BOTTOM = 48;

  /** One line: a name for the legend and its points in x order. */
  public record Series(String name, List<double[]> points) {
    public Series {
      points = points.stream().filter(p -> Double.isFinite(p[0]) && Double.isFinite(p[1])).toList();
    }
  }

  private final String title;
  private final String xLabel;
  private final String yLabel;
  private final boolean logY;
  private final List<Series> series = new ArrayList<>();

  public SvgChart(String title, String xLabel, String yLabel, boolean logY) {
    this.title = title;
    this.xLabel = xLabel;
    this.yLabel = yLabel;
    this.logY = logY;
  }

  public SvgChart add(Series s) {
    if (!s.points().isEmpty()) {
      series.add(s);
    }
    return this;
  }

  public boolean isEmpty() {
    return series.isEmpty();
  }

  /** Whether the y axis is drawn logarithmic: asked for, and every value positive. */
  public boolean logYUsed() {
    return logY && series.stream().flatMap(s -> s.points().stream()).allMatch(p -> p[1] > 0);
  }

  public String render() {
    double xLo = Double.POSITIVE_INFINITY;
    double xHi = Double.NEGATIVE_INFINITY;
    double yLo = Double.POSITIVE_INFINITY;
    double yHi = Double.NEGATIVE_INFINITY;
    for (Series s : series) {
      for (double[] p : s.points()) {
        xLo = Math.min(xLo, p[0]);
        xHi = Math.max(xHi, p[0]);
        yLo = Math.min(yLo, p[1]);
        yHi = Math.max(yHi, p[1]);
      }
    }
    if (series.isEmpty()) {
      xLo = xHi = yLo = yHi = 0;
    }
    boolean log = logYUsed() && !series.isEmpty();
    Ticks x = Ticks.linear(xLo, xHi, 6);
    Ticks y = log ? Ticks.log(yLo, yHi) : Ticks.linear(yLo, yHi, 6);
    int plotW = WIDTH - LEFT - RIGHT;
    int plotH = HEIGHT - TOP - BOTTOM;
    StringBuilder svg = new StringBuilder();
    String yTitle = yLabel + (logY && !log ? " (linear: not all values > 0)" : log ? " (log scale)" : "");
    svg.append(String.format(Locale.ROOT,
        "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
            + "role=\"img\" aria-label=\"%s\">", WIDTH, HEIGHT, WIDTH, HEIGHT, Html.escape(title)));
    svg.append("<title>").append(Html.escape(title)).append("</title>");
    svg.append(text(LEFT + plotW / 2.0, 18, "middle", "chart-title", title));
    svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" "
        + "stroke=\"#999\"/>", LEFT, TOP, plotW, plotH));
    for (double t : x.ticks()) {
      double px = LEFT + x.fraction(t) * plotW;
      svg.append(line(px, TOP + plotH, px, TOP + plotH + 5, "#333"));
      svg.append(line(px, TOP, px, TOP + plotH, "#eee"));
      svg.append(text(px, TOP + plotH + 18, "middle", "tick", Ticks.label(t)));
    }
    for (double t : y.ticks()) {
      double py = TOP + plotH - y.fraction(t) * plotH;
      svg.append(line(LEFT - 5, py, LEFT, py, "#333"));
      svg.append(line(LEFT, py, LEFT + plotW, py, "#eee"));
      svg.append(text(LEFT - 8, py + 4, "end", "tick", Ticks.label(t)));
    }
    svg.append(text(LEFT + plotW / 2.0, HEIGHT - 8, "middle", "axis-label", xLabel));
    svg.append(String.format(Locale.ROOT, "<text class=\"axis-label\" transform=\"translate(14 %.1f) rotate(-90)\" "
        + "text-anchor=\"middle\" font-size=\"12\">%s</text>", TOP + plotH / 2.0, Html.escape(yTitle)));
    for (int i = 0; i < series.size(); i++) {
      Series s = series.get(i);
      String colour = COLOURS.get(i % COLOURS.size());
      StringBuilder pts = new StringBuilder();
      StringBuilder markers = new StringBuilder();
      for (double[] p : s.points()) {
        double px = LEFT + x.fraction(p[0]) * plotW;
        double py = TOP + plotH - y.fraction(p[1]) * plotH;
        pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
        markers.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%s\">"
            + "<title>%s: (%s, %s)</title></circle>", px, py, colour, Html.escape(s.name()), Ticks.label(p[0]),
            Ticks.label(p[1])));
      }
      svg.append(String.format(Locale.ROOT, "<polyline class=\"series\" fill=\"none\" stroke=\"%s\" "
          + "stroke-width=\"1.5\" points=\"%s\"/>", colour, pts.toString().trim()));
      svg.append(markers);
      double ly = TOP + 10 + i * 18;
      svg.append(line(LEFT + plotW + 10, ly, LEFT + plotW + 30, ly, colour).replace("stroke-width=\"1\"",
          "stroke-width=\"3\""));
      svg.append(text(LEFT + plotW + 35, ly + 4, "start", "legend", abbreviate(s.name(), 22)));
    }
    svg.append("</svg>");
    return svg.toString();
  }

  private static String abbreviate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max - 1) + "\u2026";
  }

  private static String line(double x1, double y1, double x2, double y2, String colour) {
    return String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
        + "stroke-width=\"1\"/>", x1, y1, x2, y2, colour);
  }

  private static String text(double x, double y, String anchor, String cls, String content) {
    return String.format(Locale.ROOT, "<text class=\"%s\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"%d\">"
        + "%s</text>", cls, x, y, anchor, cls.equals("chart-title") ? 14 : 11, Html.escape(content));
  }
}
