package io.sparkgen.model.latentdiffusion;

import io.sparkgen.model.Network;
import io.sparkgen.model.diffusion.Conditioning;
import io.sparkgen.model.nn.Forward;
import io.sparkgen.model.nn.GraphBuilder;
import io.sparkgen.model.params.NamedArrays;
import io.sparkgen.model.vae.VaeConfig;
import io.sparkgen.model.vae.VaeNetwork;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The denoiser's parameters with two graphs on them (training, L_simple of Ho et al. 2020 eq. 14
 * on latents; prediction), and as buffers the frozen autoencoder: every VAE weight under {@code
 * vae/} and the latent scale factor under {@value #SCALE}. Buffers are never trained; the trainer
 * restores and a job broadcasts them with the rest of the state. Until restored (or loaded by
 * {@link LatentDiffusionFamily#createOn}) they hold an untrained VAE and scale 1.
 */
public final class LatentDiffusionNetwork implements Network {

  /** Buffer name of the latent scale factor (Rombach et al. 2022, Sec. 4.3.2 and App. G). */
  public static final String SCALE = "latent-scale";
  /** Prefix of the autoencoder's weights among the buffers. */
  public static final String VAE = "vae";

  static final String Z = "z_t";
  static final String T = "t_features";
  static final String Y = "y";
  static final String NOISE = "noise";

  private final LatentDiffusionConfig config;
  private final DataType type;
  private final NamedArrays parameters = NamedArrays.empty();
  private final NamedArrays buffers;
  private final VaeNetwork vae;
  final SameDiff train;
  final List<String> trainableNames;
  final String loss;
  private final SameDiff predict;
  private final String epsilon;

  public LatentDiffusionNetwork(LatentDiffusionConfig config, long seed, DataType type) {
    this.config = config;
    this.type = type;
    VaeConfig vaeConfig = config.autoencoderConfig();
    if (!vaeConfig.image().equals(config.image())) {
      throw new IllegalArgumentException("autoencoderConfig.image " + vaeConfig.image() + " differs from image "
          + config.image() + ": the autoencoder must have been trained on images of this shape");
    }
    if (vaeConfig.numClasses() > 0 && vaeConfig.numClasses() != config.numClasses()) {
      throw new IllegalArgumentException("the autoencoder is conditional on " + vaeConfig.numClasses()
          + " classes, so numClasses must be " + vaeConfig.numClasses() + ", got " + config.numClasses());
    }
    this.vae = new VaeNetwork(vaeConfig, 0L, type);
    this.buffers = NamedArrays.concat(Map.of(VAE, vae.parameters()));
    buffers.put(SCALE, Nd4j.ones(type, 1));

    GraphBuilder g = new GraphBuilder(parameters, NamedArrays.empty(), seed, type);
    SDVariable eps = denoiser(g);
    SDVariable lossVar = eps.squaredDifference(g.placeholder(NOISE, -1, config.latentDim())).mean();
    lossVar.markAsLoss();
    train = g.sd();
    trainableNames = List.copyOf(parameters.names());
    loss = lossVar.name();

    GraphBuilder p = new GraphBuilder(parameters, NamedArrays.empty(), seed, type);
    epsilon = denoiser(p).name();
    predict = p.sd();
  }

  private SDVariable denoiser(GraphBuilder g) {
    return LatentDenoiser.epsilon(g, config, g.placeholder(Z, -1, config.latentDim()),
        g.placeholder(T, -1, config.timeFeatureDim()),
        config.conditional() ? g.placeholder(Y, -1, config.numClasses()) : null);
  }

  public LatentDiffusionConfig config() {
    return config;
  }

  DataType type() {
    return type;
  }

  @Override
  public NamedArrays parameters() {
    return parameters;
  }

  /** The frozen autoencoder's weights ({@code vae/...}) and the latent scale factor. */
  @Override
  public NamedArrays buffers() {
    return buffers;
  }

  /** The latent scale factor s: the diffusion runs on s * mu(x). */
  public double scale() {
    return buffers.get(SCALE).getDouble(0);
  }

  /**
   * The scaled latents s * mu(x) of images in [-1, 1]: the autoencoder's posterior mean of the
   * binarised images (as the VAE was trained), labels as the VAE needs them (null if unconditional).
   */
  public INDArray encode(INDArray images, int[] labels) {
    return vae.encode(VaeNetwork.binarize(images), vaeLabels(labels))[0].muli(scale());
  }

  /** Images in [-1, 1] of scaled latents: the VAE decoder's Bernoulli means sigmoid(logits(z / s)), as VaeSampler. */
  public INDArray decode(INDArray scaledLatents, int[] labels) {
    INDArray logits = vae.decodeLogits(scaledLatents.div(scale()), vaeLabels(labels));
    return Transforms.sigmoid(logits, false).muli(2.0).subi(1.0);
  }

  private int[] vaeLabels(int[] labels) {
    return config.autoencoderConfig().numClasses() > 0 ? labels : null;
  }

  /**
   * eps_theta(z_t, t, y) for scaled latents [N, latent] at timesteps t (one per latent); {@code
   * labels} null for an unconditional model, and -1 for "no label" (classifier-free guidance).
   */
  public INDArray epsilon(INDArray z, int[] t, int[] labels) {
    return Forward.run(predict, inputs(z, t, labels), epsilon).get(epsilon);
  }

  Map<String, INDArray> inputs(INDArray z, int[] t, int[] labels) {
    if (t.length != z.size(0)) {
      throw new IllegalArgumentException(t.length + " timesteps for " + z.size(0) + " latents");
    }
    Map<String, INDArray> in = new HashMap<>();
    in.put(Z, z);
    in.put(T, Conditioning.timeFeatures(t, config.timeFeatureDim(), type));
    if (config.conditional()) {
      in.put(Y, Conditioning.labelRows(labels, config.numClasses(), type));
    }
    return in;
  }

  /**
   * The denoiser's dense layers, forward and backward (3x forward). The frozen encoder's forward
   * pass (once per image, no backward) and normalisation are not counted.
   */
  @Override
  public double trainingFlopsPerImage() {
    LatentDiffusionConfig c = config;
    double w = c.width();
    double e = c.timeEmbeddingDim();
    double denoiser = 2 * (c.timeFeatureDim() * e + e * e) + (c.conditional() ? 2 * c.numClasses() * e : 0)
        + 2 * c.latentDim() * w + c.blocks() * 2 * (2 * w * w + e * w) + 2 * w * c.latentDim();
    return 3 * denoiser;
  }
}
