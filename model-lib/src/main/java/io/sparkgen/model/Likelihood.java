package io.sparkgen.model;

import io.sparkgen.model.params.NamedArrays;
import io.sparkgen.model.random.Rng;
import java.util.Map;

/**
 * A model's log-likelihood of real images where it is tractable (a flow: exact) or bounded (a VAE:
 * the ELBO), as per-image values by metric name, so that a job can sum them over any split of the
 * data. Families without one (GAN, diffusion) simply do not offer it.
 */
public interface Likelihood {

  /**
   * Per-image values by metric name (e.g. {@code bits-per-dim}), with {@code weights} (the EMA or
   * live parameters); any noise (dequantisation, latent draws) comes from {@code rng} only.
   */
  Map<String, double[]> perImage(NamedArrays weights, Batch batch, Rng rng);

  /** How the numbers were obtained, for the metric table's protocol column. */
  String protocol();
}
