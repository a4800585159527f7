package io.sparkgen.model.latentdiffusion;

import io.sparkgen.model.diffusion.Conditioning;
import io.sparkgen.model.nn.GraphBuilder;
import io.sparkgen.model.nn.Init;
import io.sparkgen.model.nn.Layers;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * The noise predictor on latent vectors: the UNet's residual block with dense layers in place of
 * convolutions (a latent vector has no spatial axes). Dense input projection to the width; per
 * block GroupNorm, SiLU, dense, plus the projected time embedding; GroupNorm, SiLU, dense
 * initialised to zero, added to the block's input; GroupNorm, SiLU and a zero-initialised dense
 * output, so that a fresh model predicts eps = 0. Time and label embedding are the UNet's ({@link
 * Conditioning}).
 */
final class LatentDenoiser {

  private LatentDenoiser() {}

  /** Predicted noise [N, latent] for noisy latents {@code z} [N, latent], time features and labels. */
  static SDVariable epsilon(GraphBuilder g, LatentDiffusionConfig c, SDVariable z, SDVariable tFeatures, SDVariable y) {
    long w = c.width();
    SDVariable embAct = Layers.silu(g.sd(),
        Conditioning.embedding(g, tFeatures, c.timeFeatureDim(), c.timeEmbeddingDim(), y, c.numClasses()));
    SDVariable h = Layers.dense(g, "in", z, c.latentDim(), w, true);
    for (int b = 0; b < c.blocks(); b++) {
      String name = "block" + b;
      SDVariable r = Layers.dense(g, name + "/dense0", normAct(g, c, name + "/norm0", h), w, w, true);
      r = r.add(Layers.dense(g, name + "/temb", embAct, c.timeEmbeddingDim(), w, true));
      h = h.add(zeroDense(g, name + "/dense1", normAct(g, c, name + "/norm1", r), w, w));
    }
    return zeroDense(g, "out", normAct(g, c, "out/norm", h), w, c.latentDim());
  }

  /** SiLU(GroupNorm(h)) of [N, width], as a 1x1 feature map. */
  private static SDVariable normAct(GraphBuilder g, LatentDiffusionConfig c, String name, SDVariable h) {
    SDVariable map = h.reshape(-1, c.width(), 1, 1);
    return Layers.groupNormSilu(g, name, map, c.width(), c.groups()).reshape(-1, c.width());
  }

  /** A dense layer whose weights start at zero (the residual branch's and the output's last layer). */
  private static SDVariable zeroDense(GraphBuilder g, String name, SDVariable x, long in, long out) {
    return x.mmul(g.param(name + "/W", Init.ZEROS, in, out)).add(g.param(name + "/b", Init.ZEROS, 1, out));
  }
}
