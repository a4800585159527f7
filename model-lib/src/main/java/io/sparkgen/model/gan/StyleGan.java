package io.sparkgen.model.gan;

import io.sparkgen.model.SamplerOptions;
import io.sparkgen.model.nn.GraphBuilder;
import io.sparkgen.model.nn.Init;
import io.sparkgen.model.nn.Layers;
import io.sparkgen.model.nn.StyleLayers;
import io.sparkgen.model.random.Rng;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A style-based generator (StyleGAN, Karras et al. 2019) with StyleGAN2's weight demodulation
 * (Karras et al. 2020, Sec. 2.2), against the DCGAN's discriminator ({@link Dcgan}, used as is).
 * Mapping: z (and the label embedding, when conditional), each normalised to unit second moment,
 * -> mappingLayers x [equalised Dense (lrmul) -> leaky ReLU] -> w. Synthesis: a learned constant at
 * the base resolution -> per convolution [nearest 2x upsampling, first of a block] -> modulated 3x3
 * convolution, its style an affine map of that layer's w -> per-pixel noise times a learned
 * per-channel strength -> bias -> leaky ReLU; then a modulated 1x1 to-image convolution without
 * demodulation, bias and tanh (the family's samples lie in [-1, 1]). Training mixes styles (Sec.
 * 3.1): per image, a 0/1 mask over the style layers picks w(z) or w(z_mix); it also follows the mean
 * of w for the truncation trick (Sec. 4), w' = psi w + (1 - psi) mean(w), which inference applies
 * with the sampler option {@value #TRUNCATION} = psi (default 1: none).
 */
public final class StyleGan implements GanArchitecture {

  /** The second latent of style mixing, [N, noiseDim]. */
  static final String Z_MIX = "z_mix";
  /** [N, style layers]: 1 where a layer takes w(z), 0 where it takes w(z_mix). */
  static final String STYLE_MASK = "style_mask";
  /** Prefix of the per-pixel noise inputs, {@code noise<i>} [N, 1, H_i, W_i] for convolution i. */
  static final String NOISE = "noise";
  /** The truncation psi, [1, 1], inference only. */
  static final String PSI = "psi";
  /** The inference graph's truncated w, [N, wDim]. */
  static final String W = "w";
  static final String TRUNCATION = "truncation";
  static final String W_AVG = GENERATOR + "mapping/w_avg";
  static final String TO_IMAGE = GENERATOR + "synthesis/to_image";
  static final double PIXEL_NORM_EPSILON = 1e-8;
  static final int KERNEL = 3;

  private final GanConfig c;
  private final StyleConfig s;
  private final Dcgan discriminator;

  public StyleGan(GanConfig config) {
    this.c = config;
    this.s = config.style();
    this.discriminator = new Dcgan(config);
  }

  @Override
  public int noiseDim() {
    return c.noiseDim();
  }

  @Override
  public int numClasses() {
    return c.numClasses();
  }

  @Override
  public double dropoutKeep() {
    return discriminator.dropoutKeep();
  }

  @Override
  public SDVariable generator(
      GraphBuilder g, SDVariable z, SDVariable y, boolean training, List<Layers.RunningAverage> averages) {
    SameDiff sd = g.sd();
    SDVariable w = mapping(g, z, y);
    List<SDVariable> styles = new ArrayList<>();
    if (training) {
      g.ensureBuffer(W_AVG, 0.0, 1, s.wDim());
      averages.add(new Layers.RunningAverage(W_AVG, w.mean(true, 0), s.wAvgBeta()));
      SDVariable wMix = mapping(g, g.placeholder(Z_MIX, -1, c.noiseDim()), y);
      SDVariable mask = g.placeholder(STYLE_MASK, -1, s.styleLayers());
      for (int l = 0; l < s.styleLayers(); l++) {
        // m w + (1 - m) w_mix: exactly w where m = 1 and exactly w_mix where m = 0.
        SDVariable m = mask.get(SDIndex.all(), SDIndex.interval(l, l + 1));
        styles.add(w.mul(m).add(wMix.mul(m.rsub(1.0))));
      }
    } else {
      SDVariable psi = g.placeholder(PSI, 1, 1);
      SDVariable truncated = w.mul(psi).add(g.buffer(W_AVG, 0.0, 1, s.wDim()).mul(psi.rsub(1.0)));
      styles.addAll(Collections.nCopies(s.styleLayers(), sd.identity(W, truncated)));
    }
    return synthesis(g, styles);
  }

  /** z (and the label embedding) -> w, [N, wDim]. */
  private SDVariable mapping(GraphBuilder g, SDVariable z, SDVariable y) {
    SameDiff sd = g.sd();
    SDVariable h = pixelNorm(sd, z);
    long in = c.noiseDim();
    if (c.conditional()) {
      SDVariable e = Layers.embedding(g, GENERATOR + "label", y, c.numClasses(), c.labelEmbeddingDim());
      h = sd.concat(1, h, pixelNorm(sd, e));
      in += c.labelEmbeddingDim();
    }
    for (int i = 0; i < s.mappingLayers(); i++) {
      h = StyleLayers.equalizedDense(g, GENERATOR + "mapping/fc" + i, h, in, s.wDim(), s.mappingLrMultiplier(), 0.0);
      h = StyleLayers.leakyReluWithGain(sd, h);
      in = s.wDim();
    }
    return h;
  }

  /** x / sqrt(mean_j x_j^2 + epsilon) per row (Karras et al. 2018, Sec. 4.2). */
  private static SDVariable pixelNorm(SameDiff sd, SDVariable x) {
    return x.mul(sd.math().rsqrt(sd.math().square(x).mean(true, 1).add(PIXEL_NORM_EPSILON)));
  }

  /** The synthesis network on one w per style layer. */
  private SDVariable synthesis(GraphBuilder g, List<SDVariable> styles) {
    SameDiff sd = g.sd();
    List<Integer> ch = s.channels();
    long[] size = baseSize();
    SDVariable x = g.param(GENERATOR + "synthesis/const", Init.STANDARD_NORMAL, 1, ch.get(0), size[0], size[1]);
    x = layer(g, 0, x, styles.get(0), ch.get(0), ch.get(0), size);
    int conv = 1;
    for (int b = 1; b < ch.size(); b++) {
      x = Layers.upsample2x(sd, x, ch.get(b - 1), size[0], size[1]);
      size = new long[] {size[0] * 2, size[1] * 2};
      x = layer(g, conv, x, styles.get(conv), ch.get(b - 1), ch.get(b), size);
      conv++;
      x = layer(g, conv, x, styles.get(conv), ch.get(b), ch.get(b), size);
      conv++;
    }
    long last = ch.get(ch.size() - 1);
    long out = c.image().channels();
    SDVariable toImage = StyleLayers.equalizedDense(g, TO_IMAGE + "/affine", styles.get(conv), s.wDim(), last, 1.0, 1.0);
    SDVariable image = StyleLayers.modulatedConv(g, TO_IMAGE, x, toImage, last, out, 1, false);
    return sd.nn().tanh(image.add(g.param(TO_IMAGE + "/b", Init.ZEROS, 1, out, 1, 1)));
  }

  /** Modulated 3x3 convolution i -> noise -> bias -> leaky ReLU, at {@code size}. */
  private SDVariable layer(GraphBuilder g, int i, SDVariable x, SDVariable w, long in, long out, long[] size) {
    String name = GENERATOR + "synthesis/conv" + i;
    SDVariable style = StyleLayers.equalizedDense(g, name + "/affine", w, s.wDim(), in, 1.0, 1.0);
    SDVariable h = StyleLayers.modulatedConv(g, name, x, style, in, out, KERNEL, true);
    h = StyleLayers.noise(g, name, h, g.placeholder(NOISE + i, -1, 1, size[0], size[1]), out);
    h = h.add(g.param(name + "/b", Init.ZEROS, 1, out, 1, 1));
    return StyleLayers.leakyReluWithGain(g.sd(), h);
  }

  private long[] baseSize() {
    int up = s.channels().size() - 1;
    return new long[] {c.image().height() >> up, c.image().width() >> up};
  }

  /** [height, width] of convolution i's output. */
  private long[] convSize(int i) {
    long[] base = baseSize();
    int doublings = (i + 1) / 2;
    return new long[] {base[0] << doublings, base[1] << doublings};
  }

  /**
   * Training, in this order: z_mix ~ N(0, I); per image u ~ U[0, 1) and, where u &lt; mixingProbability,
   * a crossover k uniform in [1, style layers), layers before k taking w(z) and the rest w(z_mix)
   * (else every layer w(z)); then the noise maps ~ N(0, 1). Inference: the noise maps alone.
   */
  @Override
  public Map<String, INDArray> generatorInputs(int n, boolean training, Rng rng, DataType type) {
    Map<String, INDArray> in = new HashMap<>();
    if (training) {
      in.put(Z_MIX, rng.gaussian(type, n, c.noiseDim()));
      int layers = s.styleLayers();
      INDArray mask = Nd4j.ones(type, n, layers);
      for (int i = 0; i < n; i++) {
        if (rng.nextDouble() < s.mixingProbability()) {
          int crossover = 1 + rng.nextInt(layers - 1);
          for (int l = crossover; l < layers; l++) {
            mask.putScalar(i, l, 0.0);
          }
        }
      }
      in.put(STYLE_MASK, mask);
    }
    for (int i = 0; i < s.convolutions(); i++) {
      long[] size = convSize(i);
      in.put(NOISE + i, rng.gaussian(type, n, 1, size[0], size[1]));
    }
    return in;
  }

  @Override
  public Map<String, INDArray> samplerInputs(SamplerOptions options, DataType type) {
    options.requireKnown("gan with generator style", Set.of(TRUNCATION));
    double psi = options.number(TRUNCATION, 1.0);
    if (!Double.isFinite(psi)) {
      throw new IllegalArgumentException("sampler option truncation must be a finite number, got " + psi);
    }
    return Map.of(PSI, Nd4j.valueArrayOf(new long[] {1, 1}, psi, type));
  }

  @Override
  public SDVariable discriminator(GraphBuilder g, SDVariable x, SDVariable y, String tag) {
    return discriminator.discriminator(g, x, y, tag);
  }

  @Override
  public SDVariable discriminatorInputGradient(GraphBuilder g, SDVariable x, SDVariable y, String tag) {
    return discriminator.discriminatorInputGradient(g, x, y, tag);
  }

  @Override
  public List<long[]> dropoutMaskShapes(int n) {
    return discriminator.dropoutMaskShapes(n);
  }

  /** One mapping pass (mixing's second one is training-only), then per layer its affine map and convolution. */
  @Override
  public double generatorFlopsPerImage() {
    double in = c.noiseDim() + (c.conditional() ? c.labelEmbeddingDim() : 0);
    double flops = 2 * (in + (s.mappingLayers() - 1.0) * s.wDim()) * s.wDim();
    if (c.conditional()) {
      flops += 2.0 * c.numClasses() * c.labelEmbeddingDim();
    }
    List<Integer> ch = s.channels();
    for (int i = 0; i < s.convolutions(); i++) {
      // Convolution 0 maps ch[0] to ch[0]; 2b - 1 maps ch[b - 1] to ch[b]; 2b maps ch[b] to ch[b].
      double cin = ch.get(i / 2);
      double cout = ch.get((i + 1) / 2);
      long[] size = convSize(i);
      flops += 2 * s.wDim() * cin + 2.0 * size[0] * size[1] * cin * cout * KERNEL * KERNEL;
    }
    double last = ch.get(ch.size() - 1);
    return flops + 2 * s.wDim() * last + 2 * c.image().height() * c.image().width() * last * c.image().channels();
  }

  @Override
  public double discriminatorFlopsPerImage() {
    return discriminator.discriminatorFlopsPerImage();
  }
}
