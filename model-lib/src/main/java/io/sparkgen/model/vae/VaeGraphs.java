package io.sparkgen.model.vae;

import io.sparkgen.model.nn.GraphBuilder;
import io.sparkgen.model.nn.Layers;
import io.sparkgen.model.nn.Layers.Padding;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * The VAE's encoder q(z|x) and decoder p(x|z) as graph fragments (TensorFlow CVAE tutorial), and
 * the per-image ELBO terms of Kingma &amp; Welling 2014. Every VAE graph is assembled from these, the
 * VAE-GAN's included. Parameters are named {@code enc/...} and {@code dec/...}.
 */
public final class VaeGraphs {

  private VaeGraphs() {}

  /** q(z|x) = N(mu, diag(exp(logvar))): returns {mu, logvar}, each [N, latent]. */
  public static SDVariable[] encoder(GraphBuilder g, VaeConfig c, SDVariable x, SDVariable y) {
    SameDiff sd = g.sd();
    SDVariable h = x;
    long in = c.image().channels() + 0L;
    for (int i = 0; i < c.encoderChannels().size(); i++) {
      long out = c.encoderChannels().get(i);
      h = sd.nn().relu(Layers.conv2d(g, "enc/conv" + i, h, in, out, c.kernelSize(), 2, Padding.VALID, true), 0.0);
      in = out;
    }
    int[] hw = c.encoderOutputSize();
    long features = in * hw[0] * hw[1];
    h = Layers.flatten(h, features);
    if (c.conditional()) {
      h = sd.concat(1, h, Layers.embedding(g, "enc/label", y, c.numClasses(), c.labelEmbeddingDim()));
      features += c.labelEmbeddingDim();
    }
    long latent = c.latentDim();
    SDVariable stats = Layers.dense(g, "enc/out", h, features, 2 * latent, true);
    SDVariable mu = stats.get(SDIndex.all(), SDIndex.interval(0L, latent));
    SDVariable logVar = stats.get(SDIndex.all(), SDIndex.interval(latent, 2 * latent));
    return new SDVariable[] {mu, logVar};
  }

  /** Logits of the Bernoulli p(x|z), [N, C, H, W]. */
  public static SDVariable decoder(GraphBuilder g, VaeConfig c, SDVariable z, SDVariable y) {
    SameDiff sd = g.sd();
    int k = c.decoderChannels().size();
    long h0 = c.image().height() >> k;
    long w0 = c.image().width() >> k;
    long base = c.decoderBaseChannels();
    long in = c.latentDim();
    SDVariable h = z;
    if (c.conditional()) {
      h = sd.concat(1, h, Layers.embedding(g, "dec/label", y, c.numClasses(), c.labelEmbeddingDim()));
      in += c.labelEmbeddingDim();
    }
    h = sd.nn().relu(Layers.dense(g, "dec/dense", h, in, base * h0 * w0, true), 0.0);
    h = h.reshape(-1, base, h0, w0);
    long ch = base;
    for (int i = 0; i < k; i++) {
      long out = c.decoderChannels().get(i);
      h = sd.nn().relu(Layers.deconv2d(g, "dec/deconv" + i, h, ch, out, c.kernelSize(), 2, true), 0.0);
      ch = out;
    }
    return Layers.deconv2d(g, "dec/out", h, ch, c.image().channels(), c.kernelSize(), 1, true);
  }

  /** KL(q(z|x) || N(0, I)) per image, in nats: 0.5 sum(mu^2 + exp(logvar) - 1 - logvar) (K&amp;W 2014, App. B). */
  public static SDVariable kl(SameDiff sd, SDVariable mu, SDVariable logVar) {
    return mu.mul(mu).add(sd.math().exp(logVar)).sub(1.0).sub(logVar).sum(1).mul(0.5);
  }

  /** log p(x|z) per image, in nats, for binary x: -sum(softplus(l) - x l). */
  public static SDVariable logLikelihood(SameDiff sd, SDVariable x, SDVariable logits) {
    return sd.nn().softplus(logits).sub(x.mul(logits)).sum(1, 2, 3).neg();
  }
}
