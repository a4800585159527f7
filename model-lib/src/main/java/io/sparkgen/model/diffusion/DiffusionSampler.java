package io.sparkgen.model.diffusion;

import io.sparkgen.model.SampleRequest;
import io.sparkgen.model.Sampler;
import io.sparkgen.model.SamplerOptions;
import io.sparkgen.model.params.NamedArrays;
import io.sparkgen.model.random.Rng;
import io.sparkgen.model.random.Seeds;
import java.util.Arrays;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Draws images with one of the reverse processes of {@link DiffusionSolvers}, on its own copy of
 * the weights. Options (defaults from the config): {@code sampler} = ddpm | ddim | dpm-solver++,
 * {@code steps} (ddim and dpm-solver++; ddpm always takes all T), {@code spacing} = logsnr |
 * uniform (their timesteps, default logsnr), {@code eta} (ddim, default 0),
 * {@code variance} = large | small (ddpm, default large as Ho et al.'s CIFAR-10 model),
 * {@code guidance} w of classifier-free guidance (conditional models), {@code clip} = true |
 * false (clip x0hat to [-1, 1] at every step, default true). Image i's x_T and every fresh noise
 * of its steps come from {@code Seeds.forImage(seed, i)}.
 */
public final class DiffusionSampler implements Sampler {

  static final Set<String> OPTIONS = Set.of("sampler", "steps", "spacing", "eta", "variance", "guidance", "clip");

  private final DiffusionNetwork net;
  private final NoiseSchedule schedule;

  public DiffusionSampler(DiffusionConfig config, org.nd4j.linalg.api.buffer.DataType type) {
    this.net = new DiffusionNetwork(config, 0L, type);
    this.schedule = config.noiseSchedule();
  }

  @Override
  public INDArray sample(NamedArrays weights, SampleRequest request) {
    SamplerOptions o = request.options().requireKnown("diffusion", OPTIONS);
    DiffusionConfig c = net.config();
    String sampler = o.string("sampler", c.sampler());
    int steps = o.integer("steps", c.samplerSteps());
    double guidance = o.number("guidance", c.guidance());
    boolean clip = bool(o.string("clip", "true"), "clip");
    if (!DiffusionConfig.SAMPLERS.contains(sampler)) {
      throw new IllegalArgumentException("sampler option must be one of " + new java.util.TreeSet<>(DiffusionConfig.SAMPLERS) + ", got '" + sampler + "'");
    }
    if (!(guidance >= 0)) {
      throw new IllegalArgumentException("guidance must be >= 0, got " + guidance);
    }
    net.parameters().assignFrom(weights);
    Rng[] rngs = new Rng[request.count()];
    for (int i = 0; i < rngs.length; i++) {
      rngs[i] = new Rng(Seeds.forImage(request.seed(), request.firstIndex() + i));
    }
    INDArray xT = DiffusionSolvers.noise(rngs, Nd4j.create(net.type(), c.image().batchShape(request.count())));
    DiffusionSolvers solvers =
        new DiffusionSolvers(schedule, predictor(request.labels(), guidance), clip, spacing(o.string("spacing", "logsnr")));
    INDArray x = switch (sampler) {
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
    return Transforms.min(Transforms.max(x, -1.0, false), 1.0, false);
  }

  /**
   * Deterministic DDIM inversion of real images to x_T (for interpolation and round trips), with
   * the model's labels as in sampling and no guidance.
   */
  public INDArray invert(NamedArrays weights, INDArray images, int[] labels, int steps) {
    net.parameters().assignFrom(weights);
    return new DiffusionSolvers(schedule, predictor(labels, 1.0), false, NoiseSchedule.Spacing.LOGSNR).ddimInvert(images, steps);
  }

  /** Deterministic DDIM (eta = 0, no clipping) from given x_T: the inverse of {@link #invert}. */
  public INDArray decode(NamedArrays weights, INDArray xT, int[] labels, int steps) {
    net.parameters().assignFrom(weights);
    return new DiffusionSolvers(schedule, predictor(labels, 1.0), false, NoiseSchedule.Spacing.LOGSNR).ddim(xT, new Rng[0], steps, 0.0);
  }

  /** eps_theta, or with guidance w != 1 eps_u + w (eps_c - eps_u) from one batch of 2N (Ho &amp; Salimans 2021, eq. 6). */
  private DiffusionSolvers.NoisePredictor predictor(int[] labels, double guidance) {
    if (!net.config().conditional() || guidance == 1.0) {
      return (x, t) -> net.epsilon(x, filled(x.size(0), t), labels);
    }
    int n = labels.length;
    int[] both = Arrays.copyOf(labels, 2 * n);
    Arrays.fill(both, n, 2 * n, -1);
    return (x, t) -> {
      INDArray eps = net.epsilon(Nd4j.concat(0, x, x), filled(2 * n, t), both);
      INDArray cond = eps.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, n));
      INDArray uncond = eps.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(n, 2 * n));
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
