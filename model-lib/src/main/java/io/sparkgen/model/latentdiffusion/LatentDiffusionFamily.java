package io.sparkgen.model.latentdiffusion;

import io.sparkgen.model.BuildsOnCheckpoint;
import io.sparkgen.model.Family;
import io.sparkgen.model.GenerativeModel;
import io.sparkgen.model.ModelConfig;
import io.sparkgen.model.checkpoint.Checkpoint;
import io.sparkgen.model.params.NamedArrays;
import io.sparkgen.model.provenance.Hashes;
import io.sparkgen.model.train.ImageDataset;
import io.sparkgen.model.vae.VaeConfig;
import io.sparkgen.model.vae.VaeFamily;
import java.io.ByteArrayInputStream;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Latent diffusion (Rombach et al. 2022): a trained VAE of this project, frozen, and a diffusion
 * model on its latent vectors, sampled with DDPM, DDIM or DPM-Solver++(2M) and decoded by the VAE.
 */
public final class LatentDiffusionFamily implements Family<LatentDiffusionConfig>, BuildsOnCheckpoint {

  public static final String ID = "latent-diffusion";

  @Override
  public String id() {
    return ID;
  }

  @Override
  public Class<LatentDiffusionConfig> configType() {
    return LatentDiffusionConfig.class;
  }

  @Override
  public LatentDiffusionConfig defaultConfig() {
    return LatentDiffusionConfig.defaults();
  }

  /** The model of a completed config; its autoencoder buffers are restored from a checkpoint or a broadcast. */
  @Override
  public GenerativeModel create(LatentDiffusionConfig config, long seed) {
    LatentDiffusionNetwork net = new LatentDiffusionNetwork(config, seed, DataType.FLOAT);
    return new GenerativeModel(ID, config, net, new LatentDiffusionObjective(net), new LatentDiffusionSampler(net));
  }

  @Override
  public String inputCheckpoint(ModelConfig config) {
    String autoencoder = configType().cast(config).autoencoder();
    if (autoencoder.isBlank()) {
      throw new IllegalArgumentException("autoencoder must name a trained VAE: a checkpoint file or a run directory"
          + " (its newest checkpoint), e.g. autoencoder = \"runs/vae\"");
    }
    return autoencoder;
  }

  /**
   * The model on the VAE checkpoint {@code bytes}: the config takes the checkpoint's location, hash
   * and VAE config; the {@code vae/} buffers take its EMA weights (what the project samples a VAE
   * with by default); the latent scale is s = 1 / std(mu(x)) over every component of the posterior
   * means of {@code data} (the biased std of that batch, so s mu has variance 1 on it exactly;
   * Rombach et al. use their first batch).
   */
  @Override
  public GenerativeModel createOn(ModelConfig config, long seed, String location, byte[] bytes, ImageDataset data) {
    LatentDiffusionConfig c = configType().cast(config);
    String sha = Hashes.sha256Hex(bytes);
    if (!c.autoencoderSha256().isBlank() && !c.autoencoderSha256().equals(sha)) {
      throw new IllegalArgumentException("autoencoder " + location + " has SHA-256 " + sha
          + " but autoencoderSha256 asks for " + c.autoencoderSha256());
    }
    Checkpoint vae = Checkpoint.read(new ByteArrayInputStream(bytes), location);
    if (!vae.metadata().family().equals(VaeFamily.ID)) {
      throw new IllegalArgumentException("autoencoder " + location + " is a '" + vae.metadata().family()
          + "' checkpoint; latent-diffusion needs a '" + VaeFamily.ID + "' checkpoint");
    }
    VaeConfig vaeConfig = (VaeConfig) vae.modelConfig();
    GenerativeModel model;
    try {
      model = create(c.on(location, sha, vaeConfig), seed);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("autoencoder " + location + ": " + e.getMessage(), e);
    }
    LatentDiffusionNetwork net = (LatentDiffusionNetwork) model.network();
    NamedArrays target = net.buffers().group(LatentDiffusionNetwork.VAE);
    NamedArrays weights = vae.ema();
    if (!weights.names().equals(target.names())) {
      throw new IllegalArgumentException("autoencoder " + location + ": its arrays " + weights.names()
          + " are not those of the VAE its config builds " + target.names());
    }
    target.assign(weights);
    net.buffers().get(LatentDiffusionNetwork.SCALE).assign(latentScale(net, data));
    return model;
  }

  /** 1 / std of every component of mu(x) over {@code data}, in double precision. */
  static double latentScale(LatentDiffusionNetwork net, ImageDataset data) {
    INDArray mu = net.encode(data.images(), data.labels()).castTo(DataType.DOUBLE);
    double std = mu.stdNumber(false).doubleValue() / net.scale();
    if (!(std > 0) || !Double.isFinite(std)) {
      throw new IllegalArgumentException("the autoencoder's latents of the " + data.size()
          + " images have standard deviation " + std + "; cannot scale them to unit variance");
    }
    return 1.0 / std;
  }

  @Override
  public Map<String, String> inputs(ModelConfig config) {
    LatentDiffusionConfig c = configType().cast(config);
    return Map.of("autoencoder", c.autoencoder() + " sha256:" + c.autoencoderSha256());
  }
}
