package io.sparkgen.model.metrics;

import io.sparkgen.model.random.Rng;
import java.util.Arrays;

/** Seeded random subsets of row indices, drawn without replacement (a partial Fisher-Yates shuffle). */
final class Subsets {

  private Subsets() {}

  /** m distinct indices of 0..n-1. */
  static int[] draw(Rng rng, int n, int m) {
    int[] all = new int[n];
    for (int i = 0; i < n; i++) {
      all[i] = i;
    }
    for (int i = 0; i < m; i++) {
      int j = i + rng.nextInt(n - i);
      int t = all[i];
      all[i] = all[j];
      all[j] = t;
    }
    return Arrays.copyOf(all, m);
  }
}
