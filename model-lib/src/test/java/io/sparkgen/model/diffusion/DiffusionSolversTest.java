package io.sparkgen.model.diffusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgen.model.random.Rng;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The noise schedule and the samplers' maths, checked where the answer is known in closed form:
 * data x_0 ~ N(m, s^2) per pixel, whose optimal noise predictor is E[eps | x_t] = sqrt(1 -
 * abar)(x_t - sqrt(abar) m) / (abar s^2 + 1 - abar), and whose probability-flow ODE carries
 * x_T to x_0 = m + s (x_T - sqrt(abar_T) m) / sqrt(abar_T s^2 + 1 - abar_T) exactly.
 */
class DiffusionSolversTest {

  private static final double M = 0.3;
  private static final double S = 0.5;
  private static final NoiseSchedule LINEAR = NoiseSchedule.linear(1000, 1e-4, 0.02);

  private static DiffusionSolvers.NoisePredictor gaussianOptimum(NoiseSchedule schedule) {
    return (x, t) -> {
      double a = schedule.alphaBar(t);
      return x.sub(Math.sqrt(a) * M).muli(Math.sqrt(1 - a) / (a * S * S + 1 - a));
    };
  }

  private static Rng[] rngs(int n, long seed) {
    Rng[] r = new Rng[n];
    for (int i = 0; i < n; i++) {
      r[i] = new Rng(seed * 1000 + i);
    }
    return r;
  }

  private static INDArray start(int n) {
    return DiffusionSolvers.noise(rngs(n, 1), org.nd4j.linalg.factory.Nd4j.create(DataType.DOUBLE, n, 1, 4, 4));
  }

  private static INDArray exactOde(NoiseSchedule schedule, INDArray xT) {
    double a = schedule.alphaBar(schedule.steps() - 1);
    return xT.sub(Math.sqrt(a) * M).muli(S / Math.sqrt(a * S * S + 1 - a)).addi(M);
  }

  private static double maxError(INDArray a, INDArray b) {
    return Transforms.abs(a.sub(b)).maxNumber().doubleValue();
  }

  private static double rmsError(INDArray a, INDArray b) {
    return Math.sqrt(a.squaredDistance(b) / a.length());
  }

  private static DiffusionSolvers solvers(boolean clip) {
    return new DiffusionSolvers(LINEAR, gaussianOptimum(LINEAR), clip, NoiseSchedule.Spacing.LOGSNR);
  }

  @Test
  void iteratingTheForwardProcessMatchesTheClosedFormMarginal() {
    for (NoiseSchedule schedule : new NoiseSchedule[] {LINEAR, NoiseSchedule.cosine(1000)}) {
      int n = 20_000;
      double x0 = 0.7;
      double[] x = new double[n];
      java.util.Arrays.fill(x, x0);
      Rng rng = new Rng(3);
      for (int t = 0; t < schedule.steps(); t++) {
        double b = schedule.beta(t);
        for (int i = 0; i < n; i++) {
          x[i] = Math.sqrt(1 - b) * x[i] + Math.sqrt(b) * rng.nextGaussian();
        }
        if (t == 9 || t == 99 || t == 499 || t == 999) {
          double mean = java.util.Arrays.stream(x).average().orElseThrow();
          double var = java.util.Arrays.stream(x).map(v -> (v - mean) * (v - mean)).sum() / n;
          double expectedMean = Math.sqrt(schedule.alphaBar(t)) * x0;
          double expectedVar = 1 - schedule.alphaBar(t);
          assertEquals(expectedMean, mean, 4 * Math.sqrt(expectedVar / n), "mean at t=" + t);
          assertEquals(expectedVar, var, 4 * expectedVar * Math.sqrt(2.0 / n), "variance at t=" + t);
        }
      }
    }
  }

  @Test
  void trainingNoisesWithTheClosedForm() {
    INDArray x0 = new Rng(1).uniform(DataType.DOUBLE, -1, 1, 3, 1, 2, 2);
    INDArray eps = new Rng(2).gaussian(DataType.DOUBLE, 3, 1, 2, 2);
    int[] t = {0, 400, 999};
    INDArray xt = DiffusionObjective.noised(LINEAR, x0, t, eps);
    for (int i = 0; i < 3; i++) {
      double a = LINEAR.alphaBar(t[i]);
      for (int p = 0; p < 4; p++) {
        double expected = Math.sqrt(a) * x0.getDouble(i, 0, p / 2, p % 2) + Math.sqrt(1 - a) * eps.getDouble(i, 0, p / 2, p % 2);
        assertEquals(expected, xt.getDouble(i, 0, p / 2, p % 2), 1e-12);
      }
    }
  }

  @Test
  void schedulesHaveTheirPublishedShapes() {
    assertEquals(1e-4, LINEAR.beta(0), 1e-15);
    assertEquals(0.02, LINEAR.beta(999), 1e-15);
    // Ho et al. 2020: abar_T ~ 4e-5, so x_T is almost pure noise.
    assertEquals(4.04e-5, LINEAR.alphaBar(999), 0.01e-5);
    NoiseSchedule cosine = NoiseSchedule.cosine(1000);
    double f0 = Math.pow(Math.cos(0.008 / 1.008 * Math.PI / 2), 2);
    double f500 = Math.pow(Math.cos((0.5 + 0.008) / 1.008 * Math.PI / 2), 2);
    assertEquals(f500 / f0, cosine.alphaBar(499), 1e-12);
    assertEquals(1.0, cosine.alphaBar(-1), 0.0);
    assertEquals(java.util.List.of(0, 250, 500, 749, 999), list(LINEAR.spacedTimesteps(5, NoiseSchedule.Spacing.UNIFORM)));
    int[] logSnr = LINEAR.spacedTimesteps(10, NoiseSchedule.Spacing.LOGSNR);
    assertEquals(java.util.List.of(0, 5, 22, 73, 202, 410, 603, 757, 886, 999), list(logSnr));
    double step = LINEAR.logSnr(0) - LINEAR.logSnr(5);
    for (int i = 1; i < logSnr.length; i++) {
      assertEquals(step, LINEAR.logSnr(logSnr[i - 1]) - LINEAR.logSnr(logSnr[i]), 0.05 * step, "log-SNR gap " + i);
    }
    for (NoiseSchedule.Spacing spacing : NoiseSchedule.Spacing.values()) {
      int[] all = NoiseSchedule.linear(50, 0.01, 0.2).spacedTimesteps(50, spacing);
      assertEquals(java.util.stream.IntStream.range(0, 50).boxed().toList(), list(all), spacing + " with count = T");
    }
  }

  private static java.util.List<Integer> list(int[] values) {
    return java.util.Arrays.stream(values).boxed().toList();
  }

  @Test
  void ddpmAncestralSamplingReachesTheDataDistribution() {
    int n = 64;
    for (boolean large : new boolean[] {true, false}) {
      INDArray x = solvers(false).ddpm(start(n), rngs(n, 2), large);
      double count = x.length();
      assertEquals(M, x.meanNumber().doubleValue(), 4 * S / Math.sqrt(count), "mean, large variance " + large);
      assertEquals(S, x.stdNumber().doubleValue(), 4 * S / Math.sqrt(2 * count), "std, large variance " + large);
    }
  }

  /**
   * Root-mean-square distance to the exact solution, measured: DDIM 25/50/100 steps 0.048, 0.024,
   * 0.012 (first order); DPM-Solver++(2M) 10/20/40 steps 0.016, 0.0073, 0.0018 (second order
   * once the steps are small).
   */
  @Test
  void deterministicSamplersFollowTheExactOdeSolutionAtTheirOrderOfConvergence() {
    INDArray xT = start(64);
    INDArray exact = exactOde(LINEAR, xT);
    DiffusionSolvers solvers = solvers(false);
    double[] ddim = new double[3];
    double[] dpm = new double[3];
    for (int i = 0; i < 3; i++) {
      ddim[i] = rmsError(solvers.ddim(xT, new Rng[0], 25 << i, 0.0), exact);
      dpm[i] = rmsError(solvers.dpmSolver2m(xT, 10 << i), exact);
    }
    String all = "DDIM 25/50/100 " + java.util.Arrays.toString(ddim) + ", DPM-Solver++ 10/20/40 " + java.util.Arrays.toString(dpm);
    System.out.println(all);
    assertTrue(ddim[1] < 0.15 * S && dpm[1] < 0.03 * S, all);
    assertTrue(dpm[1] < ddim[1], "DPM-Solver++ at 20 steps is not closer than DDIM at 50: " + all);
    // Four times the steps: a first-order method's error falls 4x, a second-order one's 16x.
    assertEquals(4.0, ddim[0] / ddim[2], 0.6, "DDIM is not first order: " + all);
    assertTrue(dpm[0] / dpm[2] > 7, "DPM-Solver++(2M) is not better than first order: " + all);
  }

  @Test
  void ddimWithEtaOneOverAllStepsIsDdpmWithThePosteriorVariance() {
    INDArray xT = start(8);
    for (boolean clip : new boolean[] {false, true}) {
      DiffusionSolvers solvers = solvers(clip);
      INDArray ddim = solvers.ddim(xT, rngs(8, 5), 1000, 1.0);
      INDArray ddpm = solvers.ddpm(xT, rngs(8, 5), false);
      assertTrue(maxError(ddim, ddpm) < 1e-9, "clip " + clip + ": " + maxError(ddim, ddpm));
    }
  }

  /** Measured RMS round-trip error at 25/100/400 steps: 0.082, 0.023, 0.0053, first order in the step. */
  @Test
  void ddimInversionRoundTrips() {
    INDArray x0 = new Rng(8).uniform(DataType.DOUBLE, -0.5, 0.9, 16, 1, 4, 4);
    DiffusionSolvers solvers = solvers(false);
    double[] error = new double[3];
    for (int i = 0; i < 3; i++) {
      int steps = 25 << (2 * i);
      error[i] = rmsError(solvers.ddim(solvers.ddimInvert(x0, steps), new Rng[0], steps, 0.0), x0);
    }
    String all = "round-trip RMS error at 25/100/400 steps " + java.util.Arrays.toString(error);
    System.out.println(all);
    assertTrue(error[2] < 0.02 * S && error[0] / error[1] > 3 && error[1] / error[2] > 3, all);
  }
}
