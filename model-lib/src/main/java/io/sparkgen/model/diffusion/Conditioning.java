package io.sparkgen.model.diffusion;

import io.sparkgen.model.Batch;
import io.sparkgen.model.nn.GraphBuilder;
import io.sparkgen.model.nn.Layers;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What a noise predictor is conditioned on, shared by every denoiser (the UNet, latent diffusion's
 * MLP): sinusoidal timestep features through a two-layer SiLU MLP (Ho et al. 2020), plus a label
 * embedding whose all-zero row means "no label" (classifier-free guidance, Ho &amp; Salimans 2021).
 */
public final class Conditioning {

  private Conditioning() {}

  /**
   * The embedding [N, embeddingDim] (before its SiLU): {@code temb/dense0}, SiLU, {@code
   * temb/dense1} on the time features [N, featureDim], plus {@code label/E} applied to the label
   * rows y [N, classes] when {@code classes > 0}.
   */
  public static SDVariable embedding(GraphBuilder g, SDVariable tFeatures, long featureDim, long embeddingDim,
      SDVariable y, int classes) {
    SDVariable emb = Layers.dense(g, "temb/dense0", tFeatures, featureDim, embeddingDim, true);
    emb = Layers.dense(g, "temb/dense1", Layers.silu(g.sd(), emb), embeddingDim, embeddingDim, true);
    return classes > 0 ? emb.add(Layers.embedding(g, "label", y, classes, embeddingDim)) : emb;
  }

  /**
   * The sinusoidal timestep features of Ho et al.'s {@code get_timestep_embedding} (after
   * Vaswani et al. 2017): [sin(t w_j), cos(t w_j)], w_j = 10000^(-j / (dim/2 - 1)), j &lt; dim/2.
   */
  public static INDArray timeFeatures(int[] t, int dim, DataType type) {
    int half = dim / 2;
    double scale = Math.log(10000.0) / (half - 1);
    double[][] f = new double[t.length][dim];
    for (int i = 0; i < t.length; i++) {
      for (int j = 0; j < half; j++) {
        double arg = t[i] * Math.exp(-scale * j);
        f[i][j] = Math.sin(arg);
        f[i][half + j] = Math.cos(arg);
      }
    }
    return Nd4j.createFromArray(f).castTo(type);
  }

  /** One-hot rows [N, classes]; label -1 gives the all-zero row, whose embedding is zero: "no label". */
  public static INDArray labelRows(int[] labels, int classes, DataType type) {
    if (labels == null) {
      throw new IllegalArgumentException("this model is class-conditional: labels are required");
    }
    int[] known = new int[labels.length];
    for (int i = 0; i < labels.length; i++) {
      known[i] = Math.max(labels[i], 0);
    }
    INDArray y = Batch.oneHot(known, classes, type);
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < 0) {
        y.getRow(i).assign(0.0);
      }
    }
    return y;
  }
}
