package io.sparkgen.model.gan;

import io.sparkgen.model.SamplerOptions;
import io.sparkgen.model.nn.GraphBuilder;
import io.sparkgen.model.nn.Layers;
import io.sparkgen.model.random.Rng;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The two players' graphs. The GAN objective is written against this, so the same loss and update
 * serve the DCGAN and a one-layer toy whose gradients can be derived by hand. Generator parameter
 * names must start with {@code gen/}, the discriminator's with {@code disc/}.
 */
public interface GanArchitecture {

  String GENERATOR = "gen/";
  String DISCRIMINATOR = "disc/";

  int noiseDim();

  /** Label classes, 0 when unconditional. */
  int numClasses();

  /**
   * Images [N, C, H, W] in [-1, 1]. Besides z and y, G may read the placeholders that {@link
   * #generatorInputs} draws, and in inference mode those {@link #samplerInputs} gives. Training
   * mode adds to {@code averages} the buffers that follow statistics of the training batch (batch
   * norm's running moments, StyleGAN's mean w).
   */
  SDVariable generator(
      GraphBuilder g, SDVariable z, SDVariable y, boolean training, List<Layers.RunningAverage> averages);

  /**
   * G's random inputs other than z for {@code n} images, by placeholder name, drawn from {@code rng}
   * after z (training: the objective's step Rng; inference: each image's own Rng, n = 1). None by default.
   */
  default Map<String, INDArray> generatorInputs(int n, boolean training, Rng rng, DataType type) {
    return Map.of();
  }

  /** The inference graph's placeholders set by sampler options (e.g. truncation); fails on an option G does not know. */
  default Map<String, INDArray> samplerInputs(SamplerOptions options, DataType type) {
    options.requireKnown("gan", Set.of());
    return Map.of();
  }

  /** Logits [N, 1]; dropout masks are the placeholders {@code <tag>/mask<i>}, shapes {@link #dropoutMaskShapes}. */
  SDVariable discriminator(GraphBuilder g, SDVariable x, SDVariable y, String tag);

  /**
   * grad_x of sum_i D(x)_i, [N, C, H, W] (row i is grad_{x_i} D(x_i): D treats images independently),
   * as a forward graph of D's backward pass on the same weight variables, with D's dropout masks as
   * the placeholders {@code <tag>/mask<i>}. First-order autodiff of a function of it, as WGAN-GP's
   * gradient penalty, is then the exact double-backprop gradient w.r.t. D's parameters, which
   * SameDiff M2.1 cannot take through its own gradient ops. Architectures without it cannot train
   * with loss wgan-gp.
   */
  default SDVariable discriminatorInputGradient(GraphBuilder g, SDVariable x, SDVariable y, String tag) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " has no discriminatorInputGradient: loss wgan-gp needs one");
  }

  /** Shapes of the discriminator's dropout masks for a batch of {@code n}, in placeholder order. */
  List<long[]> dropoutMaskShapes(int n);

  /** Keep probability of the discriminator's dropout. */
  double dropoutKeep();

  /** Forward flops of G per image (2 per multiply-add of its dense and convolution layers); NaN if unknown. */
  default double generatorFlopsPerImage() {
    return Double.NaN;
  }

  /** Forward flops of D per image, counted as {@link #generatorFlopsPerImage}; NaN if unknown. */
  default double discriminatorFlopsPerImage() {
    return Double.NaN;
  }
}
