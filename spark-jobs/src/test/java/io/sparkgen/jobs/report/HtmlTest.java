package io.sparkgen.jobs.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Escaping of data strings, in text, attributes and SVG; CSV parsing of benchmark results. */
class HtmlTest {

  @Test
  void escapesMarkupAndQuotes() {
    assertEquals("&lt;script&gt;alert(1)&lt;/script&gt;", Html.escape("<script>alert(1)</script>"));
    assertEquals("a &amp; b &quot;c&quot; &#39;d&#39;", Html.escape("a & b \"c\" 'd'"));
    assertEquals("&amp;lt;", Html.escape("&lt;"), "escaping is not idempotent: & is always escaped");
    assertEquals("null", Html.escape(null));
  }

  @Test
  void chartsEscapeSeriesNamesAndTitles() {
    SvgChart chart = new SvgChart("loss <b>", "x", "y\"", true);
    chart.add(new SvgChart.Series("<script>alert(1)</script>", List.of(new double[] {0, 1}, new double[] {10, 0.5})));
    String svg = chart.render();
    assertFalse(svg.contains("<script>"), svg);
    assertFalse(svg.contains("<b>"), svg);
    assertTrue(svg.contains("&lt;script&gt;"), svg);
    assertTrue(svg.contains("(log scale)"), "positive losses on a log axis");
    assertTrue(svg.startsWith("<svg ") && svg.endsWith("</svg>"));
    assertEquals(1, count(svg, "<polyline"));
    assertEquals(2, count(svg, "<circle"));
  }

  @Test
  void logAxisFallsBackToLinearForNonPositiveValues() {
    SvgChart chart = new SvgChart("t", "x", "loss", true);
    chart.add(new SvgChart.Series("a", List.of(new double[] {0, -1}, new double[] {1, 2})));
    assertFalse(chart.logYUsed());
    assertTrue(chart.render().contains("linear: not all values &gt; 0"));
  }

  @Test
  void nonFinitePointsAreDropped() {
    SvgChart chart = new SvgChart("t", "x", "y", false);
    chart.add(new SvgChart.Series("a", List.of(new double[] {0, Double.NaN}, new double[] {1, 2}, new double[] {2, 3})));
    assertEquals(2, count(chart.render(), "<circle"));
    assertTrue(new SvgChart("t", "x", "y", false).add(new SvgChart.Series("b", List.of())).isEmpty());
  }

  @Test
  void benchResultsKeepTrainingBenchmarksAndQuotedCells() {
    String csv = "run_id,benchmark,metric,unit,mean,detail\n"
        + "r1,nd4j-sgemm,n=512,GFLOP/s,97.9,\"n=512, float32\"\n"
        + "r1,train-scaling,images/s executors=2,images/s,40.5,\"a \"\"quoted\"\" detail\"\n"
        + "r1,train-scaling,images/s executors=4,images/s,70.25,\n";
    BenchResults bench = BenchResults.parse(csv);
    assertEquals(2, bench.rows().size());
    Map<String, String> first = bench.rows().get(0);
    assertEquals("a \"quoted\" detail", first.get("detail"));
    assertEquals(2, BenchResults.executors(first));
    assertEquals(4, BenchResults.executors(bench.rows().get(1)));
    assertEquals(BenchResults.seriesName(first), BenchResults.seriesName(bench.rows().get(1)));
  }

  private static int count(String s, String part) {
    int n = 0;
    for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1)) {
      n++;
    }
    return n;
  }
}
