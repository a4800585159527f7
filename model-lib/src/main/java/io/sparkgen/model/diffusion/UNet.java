package io.sparkgen.model.diffusion;

import io.sparkgen.model.nn.GraphBuilder;
import io.sparkgen.model.nn.Init;
import io.sparkgen.model.nn.Layers;
import io.sparkgen.model.nn.Layers.Padding;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * The epsilon-prediction UNet of Ho et al. 2020 (their diffusion_utils' {@code unet}, reduced to
 * one residual block per level and no attention): a 3x3 input convolution; per level a residual
 * block (GroupNorm, SiLU, 3x3 convolution, plus the projected time embedding; GroupNorm, SiLU, 3x3
 * convolution initialised to zero; 1x1 skip where channels change) whose output is kept for the
 * skip connection, then a stride-2 3x3 convolution to the next level; a middle residual block;
 * per level upwards a residual block on [h, skip], then nearest upsampling and a 3x3
 * convolution; GroupNorm, SiLU and a zero-initialised 3x3 output convolution.
 */
final class UNet {

  private UNet() {}

  /** Predicted noise [N, C, H, W] for noisy images {@code x}, time features {@code tFeatures} [N, channels[0]] and labels. */
  static SDVariable epsilon(GraphBuilder g, DiffusionConfig c, SDVariable x, SDVariable tFeatures, SDVariable y) {
    SameDiff sd = g.sd();
    List<Integer> ch = c.channels();
    long e = c.timeEmbeddingDim();
    SDVariable embAct = Layers.silu(sd, Conditioning.embedding(g, tFeatures, ch.get(0), e, y, c.numClasses()));

    long height = c.image().height();
    long width = c.image().width();
    SDVariable h = Layers.conv2d(g, "in", x, c.image().channels(), ch.get(0), 3, 1, Padding.SAME, true);
    long in = ch.get(0);
    Deque<SDVariable> skips = new ArrayDeque<>();
    for (int level = 0; level < ch.size(); level++) {
      long out = ch.get(level);
      h = residual(g, c, "down" + level, h, embAct, in, out, height, width);
      skips.push(h);
      in = out;
      if (level + 1 < ch.size()) {
        h = Layers.conv2d(g, "down" + level + "/pool", h, out, out, 3, 2, Padding.SAME, true);
        height /= 2;
        width /= 2;
      }
    }
    h = residual(g, c, "mid", h, embAct, in, in, height, width);
    for (int level = ch.size() - 1; level >= 0; level--) {
      long out = ch.get(level);
      h = sd.concat(1, h, skips.pop());
      h = residual(g, c, "up" + level, h, embAct, in + out, out, height, width);
      in = out;
      if (level > 0) {
        h = Layers.upsample2x(sd, h, out, height, width);
        height *= 2;
        width *= 2;
        h = Layers.conv2d(g, "up" + level + "/conv", h, out, out, 3, 1, Padding.SAME, true);
      }
    }
    h = Layers.groupNormSilu(g, "out/norm", h, in, c.groups());
    return Layers.conv2d(g, "out/conv", h, in, c.image().channels(), 3, 1, Padding.SAME, true, Init.ZEROS);
  }

  private static SDVariable residual(
      GraphBuilder g, DiffusionConfig c, String name, SDVariable x, SDVariable embAct, long in, long out, long height,
      long width) {
    SameDiff sd = g.sd();
    SDVariable h = Layers.groupNormSilu(g, name + "/norm0", x, in, c.groups());
    h = Layers.conv2d(g, name + "/conv0", h, in, out, 3, 1, Padding.SAME, true);
    h = h.add(Layers.dense(g, name + "/temb", embAct, c.timeEmbeddingDim(), out, true).reshape(-1, out, 1, 1));
    h = Layers.groupNormSilu(g, name + "/norm1", h, out, c.groups());
    h = Layers.conv2d(g, name + "/conv1", h, out, out, 3, 1, Padding.SAME, true, Init.ZEROS);
    SDVariable skip = in == out ? x : Layers.conv2d(g, name + "/skip", x, in, out, 1, 1, Padding.SAME, true);
    return skip.add(h);
  }
}
