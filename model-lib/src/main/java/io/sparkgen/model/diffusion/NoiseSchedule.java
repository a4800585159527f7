package io.sparkgen.model.diffusion;

import io.sparkgen.model.config.Check;

/**
 * The forward process q(x_t | x_{t-1}) = N(sqrt(1 - beta_t) x_{t-1}, beta_t I) of a DDPM (Ho et
 * al. 2020), indexed t = 0 .. T-1 as in Ho's code (the paper's t = 1 .. T). Its marginal has the
 * closed form q(x_t | x_0) = N(sqrt(abar_t) x_0, (1 - abar_t) I), abar_t = prod_{s <= t} (1 -
 * beta_s); by convention abar_{-1} = 1 (the clean image). All values in double precision.
 */
public final class NoiseSchedule {

  /** Which beta schedule. */
  public enum Kind {
    /** beta_t linear from betaStart to betaEnd (Ho et al. 2020). */
    LINEAR,
    /** abar_t = f(t) / f(0), f(t) = cos^2(((t / T) + s) / (1 + s) pi / 2), s = 0.008, beta_t <= 0.999 (Nichol &amp; Dhariwal 2021, eq. 17). */
    COSINE;

    /** The kind a config names: {@code linear} or {@code cosine}. */
    public static Kind named(String name) {
      return switch (name) {
        case "linear" -> LINEAR;
        case "cosine" -> COSINE;
        default -> throw new IllegalArgumentException("schedule must be linear or cosine, got '" + name + "'");
      };
    }
  }

  private static final double COSINE_OFFSET = 0.008;
  private static final double COSINE_MAX_BETA = 0.999;

  private final double[] betas;
  private final double[] alphaBars;

  private NoiseSchedule(double[] betas) {
    this.betas = betas;
    this.alphaBars = new double[betas.length];
    double product = 1.0;
    for (int t = 0; t < betas.length; t++) {
      product *= 1.0 - betas[t];
      alphaBars[t] = product;
    }
  }

  public static NoiseSchedule of(Kind kind, int steps, double betaStart, double betaEnd) {
    Check.positive("timesteps", steps);
    return switch (kind) {
      case LINEAR -> linear(steps, betaStart, betaEnd);
      case COSINE -> cosine(steps);
    };
  }

  public static NoiseSchedule linear(int steps, double betaStart, double betaEnd) {
    if (!(betaStart > 0 && betaStart <= betaEnd && betaEnd < 1)) {
      throw new IllegalArgumentException("need 0 < betaStart <= betaEnd < 1, got " + betaStart + ", " + betaEnd);
    }
    double[] betas = new double[steps];
    for (int t = 0; t < steps; t++) {
      betas[t] = steps == 1 ? betaStart : betaStart + (betaEnd - betaStart) * t / (steps - 1);
    }
    return new NoiseSchedule(betas);
  }

  public static NoiseSchedule cosine(int steps) {
    double[] betas = new double[steps];
    for (int t = 0; t < steps; t++) {
      betas[t] = Math.min(1.0 - cosineF(t + 1, steps) / cosineF(t, steps), COSINE_MAX_BETA);
    }
    return new NoiseSchedule(betas);
  }

  private static double cosineF(double t, int steps) {
    double c = Math.cos((t / steps + COSINE_OFFSET) / (1 + COSINE_OFFSET) * Math.PI / 2);
    return c * c;
  }

  /** T, the number of noising steps. */
  public int steps() {
    return betas.length;
  }

  public double beta(int t) {
    return betas[t];
  }

  /** abar_t, or 1 for t = -1 (the clean image). */
  public double alphaBar(int t) {
    return t < 0 ? 1.0 : alphaBars[t];
  }

  /** How a sampler with fewer than T steps picks its timesteps. */
  public enum Spacing {
    /** Evenly in log-SNR lambda_t = log(sqrt(abar_t) / sqrt(1 - abar_t)) (Lu et al. 2022, App. D.1). */
    LOGSNR,
    /** Evenly in t (Song et al. 2021; DPM-Solver's "time uniform"). */
    UNIFORM
  }

  /**
   * {@code count} distinct timesteps from 0 to T - 1, both ends included, ascending, spread as
   * {@code spacing} says (log-SNR: each t is the step whose lambda_t is nearest to an evenly
   * spaced lambda, then nudged to keep them distinct). A sampler starts from the fully noised step
   * and takes its last model evaluation at t = 0, so its final jump to the clean image crosses
   * only beta_0; with count = T either spacing is every step. On a Gaussian toy whose exact ODE
   * solution is known, the log-SNR grid makes DPM-Solver++(2M) converge at second order where
   * the time-uniform grid does not (DiffusionSolversTest).
   */
  public int[] spacedTimesteps(int count, Spacing spacing) {
    if (count < 2 || count > steps()) {
      throw new IllegalArgumentException("step count must be in [2, " + steps() + "], got " + count);
    }
    int last = steps() - 1;
    int[] ts = new int[count];
    if (spacing == Spacing.UNIFORM) {
      for (int i = 0; i < count; i++) {
        ts[i] = (int) Math.round(i * (double) last / (count - 1));
      }
      return ts;
    }
    double low = logSnr(last);
    double high = logSnr(0);
    int t = last;
    for (int i = count - 1; i >= 0; i--) {
      double target = high + (low - high) * i / (count - 1);
      while (t > 0 && Math.abs(logSnr(t - 1) - target) <= Math.abs(logSnr(t) - target)) {
        t--;
      }
      ts[i] = t;
    }
    for (int i = 1; i < count; i++) {
      ts[i] = Math.max(ts[i], ts[i - 1] + 1);
    }
    for (int i = count - 1; i >= 0; i--) {
      ts[i] = Math.min(ts[i], last - (count - 1 - i));
    }
    return ts;
  }

  /** lambda_t = log(sqrt(abar_t) / sqrt(1 - abar_t)), decreasing in t. */
  public double logSnr(int t) {
    double a = alphaBar(t);
    return 0.5 * Math.log(a / (1 - a));
  }
}
