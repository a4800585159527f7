package io.sparkgen.jobs.report;

import static io.sparkgen.jobs.report.Html.escape;

import io.sparkgen.jobs.eval.MetricRow;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Renders the report: one self-contained HTML page (inline CSS and SVG, images as data URIs, no
 * script, nothing fetched). Every string from data or configs goes through {@link Html#escape}.
 */
public final class ReportHtml {

  private static final String CSS = "body{font-family:sans-serif;margin:24px;color:#222;max-width:1400px}"
      + "table{border-collapse:collapse;margin:8px 0 16px}th,td{border:1px solid #ccc;padding:3px 6px;"
      + "font-size:13px;vertical-align:top}th{background:#f3f3f3}td.num{text-align:right;font-variant-numeric:"
      + "tabular-nums}.key{font-weight:normal;font-size:11px;color:#555;display:block}.missing{color:#999;"
      + "font-style:italic}.charts{display:flex;flex-wrap:wrap;gap:12px}figure{display:inline-block;margin:6px;"
      + "text-align:center}figure img{image-rendering:pixelated;border:1px solid #ccc;min-width:96px}"
      + "figcaption{font-size:12px}.bar{display:flex;width:240px;height:14px;border:1px solid #999}"
      + ".bar span{display:block;height:100%}code{font-size:12px}";

  private final ReportConfig config;
  private final List<RunData> runs;
  private final BenchResults bench;
  private final String generatedAt;
  private final String version;
  private final List<MetricRow> provenance = new ArrayList<>();

  public ReportHtml(ReportConfig config, List<RunData> runs, BenchResults bench, String generatedAt, String version) {
    this.config = config;
    this.runs = runs;
    this.bench = bench;
    this.generatedAt = generatedAt;
    this.version = version;
  }

  public String render() {
    StringBuilder h = new StringBuilder(1 << 16);
    h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; ")
        .append("style-src 'unsafe-inline'\">")
        .append("<title>").append(escape(config.title())).append("</title><style>").append(CSS)
        .append("</style></head><body>\n");
    h.append("<h1>").append(escape(config.title())).append("</h1>");
    h.append("<p>Generated ").append(escape(generatedAt)).append(" by sparkgen ").append(escape(version))
        .append(" from ").append(runs.size()).append(" runs. Numbers from different feature extractors, protocols, ")
        .append("splits or sample counts are in different columns; each links to its provenance.</p>\n");
    comparison(h);
    curves(h);
    grids(h);
    samplers(h);
    memorisation(h);
    throughput(h);
    provenance(h);
    h.append("</body></html>\n");
    return h.toString();
  }

  private void comparison(StringBuilder h) {
    List<MetricColumn> columns = MetricColumn.columns(ReportTables.metrics(runs));
    h.append("<h2 id=\"comparison\">Comparison of runs</h2>");
    h.append("<table id=\"comparison-table\"><thead><tr><th>Run</th><th>Family</th><th>Training images seen</th>")
        .append("<th>Wall time</th><th>Cost (core-hours)</th>");
    for (MetricColumn c : columns) {
      h.append("<th class=\"metric\" data-metric=\"").append(escape(c.metric())).append("\">")
          .append(escape(c.metric())).append(c.higherIsBetter() ? " (best: max)" : " (best: min)")
          .append("<span class=\"key\">extractor ").append(escape(c.extractor())).append(" ")
          .append(escape(MetricColumn.shortHash(c.extractorHash()))).append("</span><span class=\"key\">protocol ")
          .append(escape(c.protocol())).append("</span><span class=\"key\">split ").append(escape(c.split()))
          .append(", N real ").append(c.nReal()).append(", N fake ").append(c.nFake()).append("</span></th>");
    }
    h.append("</tr></thead><tbody>");
    for (RunData run : runs) {
      h.append("<tr class=\"run\"><td class=\"run-name\">").append(escape(run.label())).append("</td><td class=\"family\">")
          .append(escape(run.family())).append("</td><td class=\"num\">").append(run.stats().imagesSeen())
          .append("</td><td class=\"num\">").append(duration(run.stats().totalWallSeconds()))
          .append("</td><td class=\"num\">").append(format(run.stats().totalCoreHours())).append("</td>");
      for (MetricColumn c : columns) {
        MetricRow best = c.best(run.metrics());
        if (best == null) {
          h.append("<td class=\"missing\">not computed</td>");
          continue;
        }
        provenance.add(best);
        int id = provenance.size();
        h.append("<td class=\"num\">").append(format(best.value()));
        if (Double.isFinite(best.std())) {
          h.append(" &plusmn; ").append(format(best.std()));
        }
        h.append(" <a href=\"#prov-").append(id).append("\" title=\"step ").append(best.step()).append(", ")
            .append(best.imagesSeen()).append(" images seen\">[").append(id).append("]</a></td>");
      }
      h.append("</tr>");
    }
    h.append("</tbody></table>\n<p>Cost is the sum over rounds of workers &times; wall time. Wall time and cost ")
        .append("come from each run's stats.csv; see <a href=\"#runs\">runs</a> for their provenance.</p>\n");
  }

  private void curves(StringBuilder h) {
    h.append("<h2 id=\"curves\">Curves</h2><p>All runs on shared axes, per quantity: against training images ")
        .append("seen and against wall time.</p>");
    h.append("<h3>Training losses</h3><div class=\"charts\">");
    for (String column : ReportTables.trainingMetricColumns(runs)) {
      for (boolean wall : new boolean[] {false, true}) {
        SvgChart chart = new SvgChart(column + (wall ? " vs wall time" : " vs training images"),
            wall ? "wall time (s)" : "training images seen", column, config.logScaleLosses());
        for (RunData run : runs) {
          StatsTable s = run.stats();
          if (!s.columns().contains(column)) {
            continue;
          }
          double[] x = wall ? s.cumulativeWallSeconds() : s.column("images_seen");
          double[] y = s.column(column);
          List<double[]> points = new ArrayList<>();
          for (int i = 0; i < x.length; i++) {
            points.add(new double[] {x[i], y[i]});
          }
          chart.add(new SvgChart.Series(run.label(), points));
        }
        if (!chart.isEmpty()) {
          h.append(chart.render());
        }
      }
    }
    h.append("</div><h3>Evaluation metrics</h3><div class=\"charts\">");
    List<MetricColumn> columns = MetricColumn.columns(ReportTables.metrics(runs));
    if (columns.isEmpty()) {
      h.append("<p class=\"missing\">No metrics computed for these runs.</p>");
    }
    for (MetricColumn c : columns) {
      String name = c.metric() + " [" + c.extractor() + " " + MetricColumn.shortHash(c.extractorHash()) + ", N "
          + c.nFake() + "]";
      for (boolean wall : new boolean[] {false, true}) {
        SvgChart chart = new SvgChart(name + (wall ? " vs wall time" : " vs training images"),
            wall ? "wall time (s)" : "training images seen", c.metric(), false);
        for (RunData run : runs) {
          TreeMap<Long, Double> byStep = new TreeMap<>();
          for (MetricRow r : run.metrics()) {
            if (MetricColumn.of(r).equals(c)) {
              byStep.put(r.step(), r.value());
            }
          }
          List<double[]> points = new ArrayList<>();
          for (MetricRow r : run.metrics()) {
            if (MetricColumn.of(r).equals(c) && byStep.remove(r.step()) != null) {
              points.add(new double[] {wall ? run.stats().wallSecondsAtStep(r.step()) : r.imagesSeen(), r.value()});
            }
          }
          points.sort((a, b) -> Double.compare(a[0], b[0]));
          chart.add(new SvgChart.Series(run.label(), points));
        }
        if (!chart.isEmpty()) {
          h.append(chart.render());
        }
      }
    }
    h.append("</div>\n");
  }

  private void grids(StringBuilder h) {
    h.append("<h2 id=\"samples\">Sample grids per checkpoint</h2>");
    for (RunData run : runs) {
      h.append("<section class=\"run-grids\"><h3>").append(escape(run.label())).append(" <small>(")
          .append(escape(run.family())).append(")</small></h3>");
      if (run.grids().isEmpty()) {
        h.append("<p class=\"missing\">No sample grids in this run.</p></section>");
        continue;
      }
      h.append("<p>").append(run.grids().size()).append(" of ").append(run.gridCount())
          .append(" grids (EMA weights, written at each checkpoint).</p>");
      for (RunData.Image g : run.grids()) {
        h.append("<figure><img class=\"sample-grid\" src=\"").append(Html.pngDataUri(g.png())).append("\" alt=\"")
            .append(escape("samples of " + run.label() + " at step " + g.step())).append("\"><figcaption>step ")
            .append(g.step()).append(imagesAt(run, g.step())).append("</figcaption></figure>");
      }
      h.append("</section>\n");
    }
  }

  private void samplers(StringBuilder h) {
    h.append("<h2 id=\"samplers\">Diffusion samplers: quality vs speed</h2>");
    boolean any = false;
    for (RunData run : runs) {
      if (!run.family().equals("diffusion") && run.samplers().isEmpty()) {
        continue;
      }
      any = true;
      h.append("<h3>").append(escape(run.label())).append("</h3>");
      if (run.samplers().isEmpty()) {
        h.append("<p class=\"missing\">Sampler comparison not computed for this run.</p>");
        continue;
      }
      TreeSet<Long> seeds = new TreeSet<>();
      run.samplers().forEach(s -> seeds.add(s.seed()));
      if (seeds.size() > 1) {
        h.append("<p><strong>Warning:</strong> the grids use different seeds ").append(escape(seeds))
            .append(": they do not show the same images.</p>");
      }
      h.append("<p>Same seed across samplers and step counts; fastest first.</p>");
      for (RunData.SamplerGrid s : run.samplers()) {
        h.append("<figure><img class=\"sampler-grid\" src=\"").append(Html.pngDataUri(s.png())).append("\" alt=\"")
            .append(escape(s.sampler() + " " + s.steps() + " steps")).append("\"><figcaption>")
            .append(escape(s.sampler())).append(", ").append(s.steps()).append(" steps, ")
            .append(format(s.secondsPerImage())).append(" s/image, seed ").append(s.seed())
            .append("</figcaption></figure>");
      }
    }
    if (!any) {
      h.append("<p class=\"missing\">No diffusion runs in this report.</p>");
    }
  }

  private void memorisation(StringBuilder h) {
    h.append("<h2 id=\"memorisation\">Memorisation check</h2><p>Each row: a generated image, then its nearest ")
        .append("training images in feature space, with distances.</p>");
    for (RunData run : runs) {
      h.append("<h3>").append(escape(run.label())).append("</h3>");
      if (run.nearest().isEmpty()) {
        h.append("<p class=\"missing\">Memorisation check not computed for this run.</p>");
        continue;
      }
      RunData.Nearest n = run.nearest().get(run.nearest().size() - 1);
      h.append("<figure><img class=\"nearest-grid\" src=\"").append(Html.pngDataUri(n.png())).append("\" alt=\"")
          .append(escape("nearest training images, step " + n.step())).append("\"><figcaption>step ").append(n.step())
          .append(imagesAt(run, n.step())).append(", extractor ").append(escape(n.extractor())).append(" <code>")
          .append(escape(n.extractorHash())).append("</code></figcaption></figure>");
      h.append("<table class=\"distances\"><tr><th>Row</th><th>Distances to nearest training images</th></tr>");
      for (int i = 0; i < n.distances().size(); i++) {
        h.append("<tr><td class=\"num\">").append(i + 1).append("</td><td>");
        n.distances().get(i).forEach(d -> h.append(format(d)).append(' '));
        h.append("</td></tr>");
      }
      h.append("</table>");
    }
  }

  private void throughput(StringBuilder h) {
    h.append("<h2 id=\"throughput\">Training throughput and scaling</h2>");
    h.append("<table id=\"throughput-table\"><tr><th>Run</th><th>Family</th><th>Executors (workers)</th>")
        .append("<th>Images/s (mean of rounds)</th><th>Compute vs averaging</th><th>Compute share</th></tr>");
    Map<String, List<double[]>> byFamily = new LinkedHashMap<>();
    for (RunData run : runs) {
      StatsTable s = run.stats();
      TreeSet<Long> workers = new TreeSet<>();
      double[] w = s.rows().isEmpty() ? new double[0] : s.column("workers");
      for (double v : w) {
        workers.add((long) v);
      }
      double ips = s.rows().isEmpty() ? Double.NaN : mean(s.column("images_per_second"));
      double share = s.computeShare();
      h.append("<tr><td>").append(escape(run.label())).append("</td><td>").append(escape(run.family()))
          .append("</td><td class=\"num\">").append(escape(workers)).append("</td><td class=\"num\">")
          .append(format(ips)).append("</td><td>");
      if (Double.isFinite(share)) {
        h.append(String.format(Locale.ROOT, "<div class=\"bar\" title=\"compute %.1f%%, broadcast and averaging "
            + "%.1f%%\"><span style=\"width:%.1f%%;background:#0072B2\"></span><span style=\"width:%.1f%%;"
            + "background:#E69F00\"></span></div>", 100 * share, 100 * (1 - share), 100 * Math.min(1, share),
            100 * Math.max(0, 1 - share)));
      }
      h.append("</td><td class=\"num\">").append(Double.isFinite(share) ? format(100 * share) + " %" : "-")
          .append("</td></tr>");
      if (workers.size() == 1 && Double.isFinite(ips)) {
        byFamily.computeIfAbsent(run.family(), k -> new ArrayList<>()).add(new double[] {workers.first(), ips});
      }
    }
    h.append("</table><p>Compute share: the workers' mean compute time over the round's wall time (the rest is ")
        .append("broadcast, scheduling and averaging), from stats.csv. Blue: compute, orange: the rest.</p>");
    SvgChart runsChart = new SvgChart("images/s per executor count (runs)", "executors", "images/s", false);
    byFamily.forEach((family, points) -> {
      points.sort((a, b) -> Double.compare(a[0], b[0]));
      runsChart.add(new SvgChart.Series(family, points));
    });
    h.append("<div class=\"charts\">");
    if (!runsChart.isEmpty()) {
      h.append(runsChart.render());
    }
    if (bench != null) {
      Map<String, List<double[]>> series = new TreeMap<>();
      for (Map<String, String> row : bench.rows()) {
        int executors = BenchResults.executors(row);
        double mean = parse(row.get("mean"));
        if (executors > 0 && Double.isFinite(mean)) {
          series.computeIfAbsent(BenchResults.seriesName(row), k -> new ArrayList<>()).add(new double[] {executors,
              mean});
        }
      }
      SvgChart benchChart = new SvgChart("benchmarks per executor count", "executors", "value", false);
      series.forEach((name, points) -> {
        points.sort((a, b) -> Double.compare(a[0], b[0]));
        benchChart.add(new SvgChart.Series(name, points));
      });
      if (!benchChart.isEmpty()) {
        h.append(benchChart.render());
      }
    }
    h.append("</div>");
    h.append("<h3>Benchmark results</h3>");
    if (bench == null) {
      h.append("<p class=\"missing\">No benchmark results given (report.bench-results).</p>");
    } else if (bench.rows().isEmpty()) {
      h.append("<p class=\"missing\">The benchmark results hold no training benchmark (train-*).</p>");
    } else {
      List<String> cols = List.of("run_id", "benchmark", "metric", "unit", "mean", "sd", "n", "detail", "cpu",
          "logical_cores", "spark_master", "nd4j_build", "git_commit");
      h.append("<table id=\"bench-table\"><tr>");
      cols.forEach(c -> h.append("<th>").append(escape(c)).append("</th>"));
      h.append("</tr>");
      for (Map<String, String> row : bench.rows()) {
        h.append("<tr>");
        cols.forEach(c -> h.append("<td>").append(escape(row.getOrDefault(c, ""))).append("</td>"));
        h.append("</tr>");
      }
      h.append("</table>");
    }
  }

  private void provenance(StringBuilder h) {
    h.append("<h2 id=\"provenance\">Provenance of the compared numbers</h2>");
    if (provenance.isEmpty()) {
      h.append("<p class=\"missing\">No metric numbers in the comparison.</p>");
    } else {
      List<String> cols = List.of("#", "run", "metric", "step", "images seen", "value", "std", "N real", "N fake",
          "extractor", "extractor hash", "protocol", "split", "seed", "evaluation config hash",
          "checkpoint config hash", "data manifest hash", "sparkgen version", "evaluation id", "created at");
      h.append("<table id=\"provenance-table\"><tr>");
      cols.forEach(c -> h.append("<th>").append(escape(c)).append("</th>"));
      h.append("</tr>");
      for (int i = 0; i < provenance.size(); i++) {
        MetricRow r = provenance.get(i);
        h.append("<tr id=\"prov-").append(i + 1).append("\"><td>").append(i + 1).append("</td>");
        for (Object v : List.of(r.run(), r.metric(), r.step(), r.imagesSeen(), format(r.value()), format(r.std()),
            r.nReal(), r.nFake(), r.extractor(), r.extractorHash(), r.protocol(), r.split(), r.seed(), r.configHash(),
            r.checkpointConfigHash(), r.dataManifestHash(), r.sparkgenVersion(), r.evaluationId(), r.createdAt())) {
          h.append("<td>").append(escape(v)).append("</td>");
        }
        h.append("</tr>");
      }
      h.append("</table>");
    }
    h.append("<h2 id=\"runs\">Runs</h2><table id=\"runs-table\"><tr><th>Run</th><th>Directory</th><th>Family</th>")
        .append("<th>config.conf SHA-256</th><th>Checkpoints</th><th>Newest checkpoint: config hash</th>")
        .append("<th>Data manifest hash</th><th>Seed</th><th>Versions</th></tr>");
    for (RunData run : runs) {
      RunData.CheckpointInfo last = run.checkpoints().isEmpty() ? null
          : run.checkpoints().get(run.checkpoints().size() - 1);
      Function<Function<RunData.CheckpointInfo, Object>, String> cell = f -> last == null ? "-"
          : escape(f.apply(last));
      h.append("<tr><td>").append(escape(run.label())).append("</td><td><code>").append(escape(run.dir()))
          .append("</code></td><td>").append(escape(run.family())).append("</td><td><code>")
          .append(escape(run.configHash())).append("</code></td><td class=\"num\">").append(run.checkpoints().size())
          .append("</td><td><code>").append(cell.apply(RunData.CheckpointInfo::configHash)).append("</code></td><td>")
          .append("<code>").append(cell.apply(RunData.CheckpointInfo::dataManifestHash)).append("</code></td><td>")
          .append(cell.apply(RunData.CheckpointInfo::seed)).append("</td><td>")
          .append(cell.apply(RunData.CheckpointInfo::versions)).append("</td></tr>");
    }
    h.append("</table>");
  }

  private static String imagesAt(RunData run, long step) {
    for (double[] r : run.stats().rows()) {
      if ((long) r[1] == step) {
        return ", " + (long) r[2] + " images seen";
      }
    }
    return "";
  }

  private static double mean(double[] v) {
    double sum = 0;
    for (double d : v) {
      sum += d;
    }
    return v.length == 0 ? Double.NaN : sum / v.length;
  }

  private static double parse(String s) {
    try {
      return Double.parseDouble(s);
    } catch (RuntimeException e) {
      return Double.NaN;
    }
  }

  static String format(double v) {
    if (!Double.isFinite(v)) {
      return Double.isNaN(v) ? "-" : String.valueOf(v);
    }
    return String.format(Locale.ROOT, "%.4g", v);
  }

  static String duration(double seconds) {
    long s = Math.round(seconds);
    if (s < 60) {
      return String.format(Locale.ROOT, "%.1f s", seconds);
    }
    return String.format(Locale.ROOT, "%dh %02dm %02ds", s / 3600, s / 60 % 60, s % 60);
  }
}
