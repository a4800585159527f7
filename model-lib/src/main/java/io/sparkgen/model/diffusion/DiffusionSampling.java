package io.sparkgen.model.diffusion;

import io.sparkgen.model.SampleRequest;
import io.sparkgen.model.SamplerOptions;
import io.sparkgen.model.random.Rng;
import io.sparkgen.model.random.Seeds;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The sampler options and reverse processes of any epsilon-predicting model, whatever the shape of
 * what it denoises (images, latent vectors). Options (defaults from the model's config): {@code
 * sampler} = ddpm | ddim | dpm-solver++, {@code steps} (ddim and dpm-solver++; ddpm always takes
 * all T), {@code spacing} = logsnr | uniform (their timesteps, default logsnr), {@code eta} (ddim,
 * default 0), {@code variance} = large | small (ddpm, default large as Ho et al.'s CIFAR-10 model),
 * {@code guidance} w of classifier-free guidance (conditional models) and, where the model's data
 * lie in [-1, 1], {@code clip} = true | false (clip x0hat at every step, default true). Sample i's
 * x_T and every fresh noise of its steps come from {@code Seeds.forImage(seed, i)}.
 */
public final class DiffusionSampling {

  /** eps_theta(x, t, labels) for a batch: labels null for an unconditional model, -1 for "no label". */
  @FunctionalInterface
  public interface EpsilonModel {
    INDArray epsilon(INDArray x, int[] t, int[] labels);
  }

  /**
   * What a family fixes: its name (in option errors), schedule, sampler defaults, whether it is
   * conditional, and whether its data lie in [-1, 1] (then x0hat may be clipped).
   */
  public record Setup(String family, NoiseSchedule schedule, String sampler, int steps, double guidance,
      boolean conditional, boolean clippable) {}

  static final Set<String> SAMPLERS = Set.of("ddpm", "ddim", "dpm-solver++");
  private static final Set<String> OPTIONS = Set.of("sampler", "steps", "spacing", "eta", "variance", "guidance");

  private DiffusionSampling() {}

  /** Fails unless {@code sampler} is one of {@link #SAMPLERS}, naming {@code field}. */
  public static void checkSampler(String field, String sampler) {
    if (!SAMPLERS.contains(sampler)) {
      throw new IllegalArgumentException(field + " must be one of " + new TreeSet<>(SAMPLERS) + ", got '" + sampler + "'");
    }
  }

  /** Validates a config's sampler defaults, naming the field: a known sampler, 2 &lt;= samplerSteps &lt;= timesteps, guidance &gt;= 0. */
  public static void checkDefaults(String sampler, int samplerSteps, int timesteps, double guidance) {
    checkSampler("sampler", io.sparkgen.model.config.Check.notNull("sampler", sampler));
    if (samplerSteps < 2 || samplerSteps > timesteps) {
      throw new IllegalArgumentException("samplerSteps must be in [2, timesteps = " + timesteps + "], got " + samplerSteps);
    }
    io.sparkgen.model.config.Check.nonNegative("guidance", guidance);
  }

  /** Draws {@code request.count()} samples of shape [N, ...{@code shape}] with the options of the request. */
  public static INDArray sample(Setup setup, EpsilonModel model, DataType type, long[] shape, SampleRequest request) {
    Set<String> known = new java.util.HashSet<>(OPTIONS);
    if (setup.clippable()) {
      known.add("clip");
    }
    SamplerOptions o = request.options().requireKnown(setup.family(), known);
    String sampler = o.string("sampler", setup.sampler());
    int steps = o.integer("steps", setup.steps());
    double guidance = o.number("guidance", setup.guidance());
    boolean clip = setup.clippable() && bool(o.string("clip", "true"), "clip");
    checkSampler("sampler option", sampler);
    if (!(guidance >= 0)) {
      throw new IllegalArgumentException("guidance must be >= 0, got " + guidance);
    }
    Rng[] rngs = new Rng[request.count()];
    for (int i = 0; i < rngs.length; i++) {
      rngs[i] = new Rng(Seeds.forImage(request.seed(), request.firstIndex() + i));
    }
    long[] batch = new long[shape.length + 1];
    batch[0] = request.count();
    System.arraycopy(shape, 0, batch, 1, shape.length);
    INDArray xT = DiffusionSolvers.noise(rngs, Nd4j.create(type, batch));
    NoiseSchedule schedule = setup.schedule();
    DiffusionSolvers solvers = new DiffusionSolvers(schedule,
        predictor(model, setup.conditional(), request.labels(), guidance), clip, spacing(o.string("spacing", "logsnr")));
    return switch (sampler) {
      case "ddpm" -> {
        if (o.values().containsKey("steps") && steps != schedule.steps()) {
          throw new IllegalArgumentException("ddpm takes all " + schedule.steps() + " steps; use ddim or dpm-solver++ for fewer");
        }
        String variance = o.string("variance", "large");
        if (!variance.equals("large") && !variance.equals("small")) {
          throw new IllegalArgumentException("variance must be large or small, got '" + variance + "'");
        }
        yield solvers.ddpm(xT, rngs, variance.equals("large"));
      }
      case "ddim" -> solvers.ddim(xT, rngs, steps, o.number("eta", 0.0));
      default -> solvers.dpmSolver2m(xT, steps);
    };
  }

  /**
   * eps_theta at one timestep, or with guidance w != 1 eps_u + w (eps_c - eps_u) from one batch
   * of 2N (Ho &amp; Salimans 2021, eq. 6).
   */
  static DiffusionSolvers.NoisePredictor predictor(EpsilonModel model, boolean conditional, int[] labels,
      double guidance) {
    if (!conditional || guidance == 1.0) {
      return (x, t) -> model.epsilon(x, filled(x.size(0), t), labels);
    }
    int n = labels.length;
    int[] both = Arrays.copyOf(labels, 2 * n);
    Arrays.fill(both, n, 2 * n, -1);
    return (x, t) -> {
      INDArray eps = model.epsilon(Nd4j.concat(0, x, x), filled(2 * n, t), both);
      INDArray cond = eps.get(NDArrayIndex.interval(0, n));
      INDArray uncond = eps.get(NDArrayIndex.interval(n, 2 * n));
      return uncond.add(cond.sub(uncond).muli(guidance));
    };
  }

  private static int[] filled(long n, int t) {
    int[] ts = new int[Math.toIntExact(n)];
    Arrays.fill(ts, t);
    return ts;
  }

  private static NoiseSchedule.Spacing spacing(String value) {
    return switch (value.trim()) {
      case "logsnr" -> NoiseSchedule.Spacing.LOGSNR;
      case "uniform" -> NoiseSchedule.Spacing.UNIFORM;
      default -> throw new IllegalArgumentException("sampler option spacing must be logsnr or uniform, got '" + value + "'");
    };
  }

  private static boolean bool(String value, String key) {
    return switch (value.trim()) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new IllegalArgumentException("sampler option " + key + " must be true or false, got '" + value + "'");
    };
  }
}
