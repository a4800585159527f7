package io.sparkgen.model.latentdiffusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgen.model.SampleRequest;
import io.sparkgen.model.SamplerOptions;
import io.sparkgen.model.diffusion.DiffusionSampling;
import io.sparkgen.model.diffusion.NoiseSchedule;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The diffusion samplers on latent vectors [N, d], where the answer is known: latents z_0 ~ N(m,
 * s^2) per component have the exact noise predictor E[eps | z_t] = sqrt(1 - abar)(z_t - sqrt(abar)
 * m) / (abar s^2 + 1 - abar) (as in DiffusionSolversTest, there on images).
 */
class LatentSamplingTest {

  private static final double M = -0.4;
  private static final double S = 1.3;
  /** T = 200 keeps the per-step noise draws of DDPM cheap; abar_T = 3e-5, so z_T is almost pure noise. */
  private static final NoiseSchedule SCHEDULE = NoiseSchedule.linear(200, 5e-4, 0.1);

  private static INDArray gaussianOptimum(INDArray z, int[] t, int[] labels) {
    double a = SCHEDULE.alphaBar(t[0]);
    return z.sub(Math.sqrt(a) * M).muli(Math.sqrt(1 - a) / (a * S * S + 1 - a));
  }

  private static INDArray sample(long[] shape, int count, Map<String, String> options) {
    DiffusionSampling.Setup setup = new DiffusionSampling.Setup("latent-diffusion", SCHEDULE, "dpm-solver++", 20, 1.0,
        false, false);
    SampleRequest request = SampleRequest.unconditional(9L, 0, count).withOptions(SamplerOptions.of(options));
    return DiffusionSampling.sample(setup, LatentSamplingTest::gaussianOptimum, DataType.DOUBLE, shape, request);
  }

  @Test
  void everySamplerReproducesTheLatentMoments() {
    int n = 64;
    int d = 32;
    double count = n * d;
    for (Map<String, String> options : java.util.List.of(
        Map.of("sampler", "ddpm"), Map.of("sampler", "ddpm", "variance", "small"), Map.of("sampler", "ddim", "steps", "50"),
        Map.of("sampler", "ddim", "steps", "50", "eta", "1"), Map.of("sampler", "dpm-solver++", "steps", "20"))) {
      INDArray z = sample(new long[] {d}, n, options);
      assertEquals(2, z.rank());
      // Deterministic samplers carry N(0, 1) draws to N(m, s^2) up to their discretisation error; the
      // tolerances are four standard errors of the sample moments plus that error (< 2% of s).
      assertEquals(M, z.meanNumber().doubleValue(), 4 * S / Math.sqrt(count) + 0.02 * S, "mean, " + options);
      assertEquals(S, z.stdNumber().doubleValue(), 4 * S / Math.sqrt(2 * count) + 0.02 * S, "std, " + options);
    }
  }

  @Test
  void aLatentVectorIsSampledAsTheSameNumbersShapedAsAnImage() {
    INDArray vectors = sample(new long[] {16}, 3, Map.of("sampler", "ddim", "steps", "10", "eta", "0.5"));
    INDArray images = sample(new long[] {1, 4, 4}, 3, Map.of("sampler", "ddim", "steps", "10", "eta", "0.5"));
    assertEquals(vectors, images.reshape(3, 16));
    assertTrue(vectors.stdNumber().doubleValue() > 0.5);
  }

  @Test
  void latentsAreNotClippedSoClipIsNoOption() {
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> sample(new long[] {4}, 2, Map.of("clip", "true")));
    assertTrue(e.getMessage().startsWith("unknown sampler option 'clip' for latent-diffusion"), e.getMessage());
  }
}
