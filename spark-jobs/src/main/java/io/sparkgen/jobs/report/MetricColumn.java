package io.sparkgen.jobs.report;

import io.sparkgen.jobs.eval.MetricRow;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What makes two metric numbers comparable: the same metric, extractor (by hash), protocol, real
 * split and sample counts. The report never puts numbers of two different keys in one column.
 */
public record MetricColumn(String metric, String extractor, String extractorHash, String protocol, String split,
    long nReal, long nFake) implements Comparable<MetricColumn> {

  /** Metrics where more is better; every other metric (fid, kid, swd, bits-per-dim, nll) is better lower. */
  private static final Set<String> HIGHER_IS_BETTER = Set.of("precision", "recall", "density", "coverage", "elbo",
      "inception-score", "is");

  private static final Comparator<MetricColumn> ORDER = Comparator.comparing(MetricColumn::metric)
      .thenComparing(MetricColumn::extractorHash).thenComparing(MetricColumn::protocol)
      .thenComparing(MetricColumn::split).thenComparingLong(MetricColumn::nReal).thenComparingLong(MetricColumn::nFake);

  public static MetricColumn of(MetricRow row) {
    return new MetricColumn(row.metric(), row.extractor(), row.extractorHash(), row.protocol(), row.split(),
        row.nReal(), row.nFake());
  }

  /** The distinct columns of the rows, ordered by metric, then the rest of the key. */
  public static List<MetricColumn> columns(List<MetricRow> rows) {
    Set<MetricColumn> set = new TreeSet<>();
    rows.forEach(r -> set.add(of(r)));
    return new ArrayList<>(set);
  }

  public boolean higherIsBetter() {
    return HIGHER_IS_BETTER.contains(metric);
  }

  /** The best finite row of this column among the rows (ties: the earlier step). */
  public MetricRow best(List<MetricRow> rows) {
    MetricRow best = null;
    for (MetricRow r : rows) {
      if (!of(r).equals(this) || !Double.isFinite(r.value())) {
        continue;
      }
      if (best == null || (higherIsBetter() ? r.value() > best.value() : r.value() < best.value())
          || (r.value() == best.value() && r.step() < best.step())) {
        best = r;
      }
    }
    return best;
  }

  /** Short hash for headers: the first 12 hex digits. */
  public static String shortHash(String hash) {
    return hash == null || hash.isEmpty() ? "-" : hash.substring(0, Math.min(12, hash.length()));
  }

  @Override
  public int compareTo(MetricColumn o) {
    return ORDER.compare(this, o);
  }
}
