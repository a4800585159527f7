package io.sparkgen.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgen.model.flow.FlowFamily;
import io.sparkgen.model.gan.GanFamily;
import io.sparkgen.model.random.Rng;
import io.sparkgen.model.vae.VaeFamily;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The likelihood view of a model scores images exactly as its training objective does (same
 * weights, same noise), on its own copy of the weights; families without a density offer none.
 */
class LikelihoodTest {

  private static Batch batch() {
    INDArray images = new Rng(3L).uniform(DataType.FLOAT, -1.0, 1.0, 5, 1, 8, 8);
    return new Batch(images, null);
  }

  private static double mean(double[] values) {
    return Arrays.stream(values).average().orElseThrow();
  }

  @Test
  void flowBitsPerDimEqualTheObjectivesOnTheSameDequantisationNoise() {
    GenerativeModel model = new FlowFamily().create(
        io.sparkgen.model.flow.FlowContractTestAccess.tiny(new ImageShape(1, 8, 8), 0, 2), 1L);
    Batch batch = batch();
    model.objective().step(batch, new Rng(9L)); // data-dependent ActNorm initialisation happens here
    var params = model.network().parameters().copy();
    Map<String, double[]> scored = model.likelihood().orElseThrow().perImage(params, batch, new Rng(4L));
    double trained = model.objective().step(batch, new Rng(4L)).metrics().get("bits_per_dim");
    assertEquals(trained, mean(scored.get("bits-per-dim")), 1e-4 * Math.abs(trained));
    assertTrue(!params.sameValues(model.network().parameters()), "the step updated the live weights, not the copy");
  }

  @Test
  void vaeElboEqualsTheObjectivesOnTheSameLatentDraws() {
    GenerativeModel model = new VaeFamily().create(
        io.sparkgen.model.vae.VaeContractTestAccess.tiny(new ImageShape(1, 8, 8), 0, 2), 1L);
    Batch batch = batch();
    var before = model.network().parameters().copy();
    Map<String, double[]> scored = model.likelihood().orElseThrow().perImage(before, batch, new Rng(4L));
    double trained = model.objective().step(batch, new Rng(4L)).metrics().get("elbo_nats");
    assertEquals(trained, mean(scored.get("elbo-nats")), 1e-4 * Math.abs(trained));
    // ELBO <= L_K itself is VaeTest's; here: one finite bound per image.
    assertEquals(5, scored.get("iwae-64-nats").length);
    assertTrue(Arrays.stream(scored.get("iwae-64-nats")).allMatch(Double::isFinite));
  }

  @Test
  void aGanHasNoLikelihood() {
    assertTrue(new GanFamily().create(new GanFamily().defaultConfig(), 1L).likelihood().isEmpty());
  }
}
