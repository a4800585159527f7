package io.sparkgen.model.vaegan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgen.model.Batch;
import io.sparkgen.model.GenerativeModel;
import io.sparkgen.model.ImageShape;
import io.sparkgen.model.SampleRequest;
import io.sparkgen.model.nn.GradientCheck;
import io.sparkgen.model.optim.Adam;
import io.sparkgen.model.optim.AdamConfig;
import io.sparkgen.model.params.NamedArrays;
import io.sparkgen.model.random.Rng;
import io.sparkgen.model.vae.VaeContractTestAccess;
import io.sparkgen.model.vae.VaeFamily;
import io.sparkgen.model.vae.VaeNetwork;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class VaeGanTest {

  private static final ImageShape GRAY8 = new ImageShape(1, 8, 8);

  /** {@code base} with D's dropout, the decoder's reconstruction-vs-GAN weight w and the pixel weight p replaced. */
  static VaeGanConfig with(VaeGanConfig b, double dropout, double w, double p) {
    return new VaeGanConfig(
        b.image(), b.numClasses(), b.labelEmbeddingDim(), b.latentDim(), b.kernelSize(), b.encoderChannels(),
        b.decoderBaseChannels(), b.decoderChannels(), b.discriminatorKernelSize(), b.discriminatorChannels(),
        b.leakyReluSlope(), dropout, b.featureLayer(), w, p, b.encoderOptimizer(), b.decoderOptimizer(),
        b.discriminatorOptimizer());
  }

  private static double maxAbs(INDArray a) {
    return a.amaxNumber().doubleValue();
  }

  private static double sigmoid(double v) {
    return 1 / (1 + Math.exp(-v));
  }

  /**
   * Composition: with the decoder on reconstruction alone (w = 1) and the reconstruction all pixels
   * (p = 1), encoder and decoder follow exactly the vae family's gradient of the negative ELBO, on
   * the same weights (the same names and seed give the same initial values), batch and eps.
   */
  @Test
  void reconstructionOnlyOnPixelsGivesTheVaeFamilysGradients() {
    VaeGanConfig config = with(VaeGanContractTest.tiny(GRAY8, 3, 2), 0.3, 1.0, 1.0);
    VaeGanNetwork net = new VaeGanNetwork(config, 5L, DataType.DOUBLE);
    VaeNetwork vae = new VaeNetwork(config.vae(), 5L, DataType.DOUBLE);
    NamedArrays encoderDecoder = net.parameters().filter(n -> !n.startsWith("disc/"));
    assertTrue(vae.parameters().sameValues(encoderDecoder), "the VAE's parameters are not the VAE-GAN's enc/ and dec/");

    INDArray x = new Rng(8).uniform(DataType.DOUBLE, -1, 1, 4, 1, 8, 8).gt(0.0).castTo(DataType.DOUBLE).muli(2).subi(1);
    int[] labels = {0, 1, 2, 0};
    VaeGanObjective objective = new VaeGanObjective(net);
    VaeGanObjective.Noise noise = objective.drawNoise(4, new Rng(3), DataType.DOUBLE);
    VaeGanObjective.Gradients grads = objective.gradients(new Batch(x, labels), noise);
    Map<String, INDArray> expected = VaeContractTestAccess.lossGradients(vae, VaeNetwork.binarize(x), labels, noise.eps());

    assertEquals(net.encoderParameters().names(), grads.encoder().keySet());
    assertEquals(net.decoderParameters().names(), grads.decoder().keySet());
    Map<String, INDArray> actual = new HashMap<>(grads.encoder());
    actual.putAll(grads.decoder());
    assertEquals(expected.keySet(), actual.keySet());
    for (String name : expected.keySet()) {
      double scale = Math.max(maxAbs(expected.get(name)), 1e-8);
      double error = maxAbs(actual.get(name).sub(expected.get(name))) / scale;
      assertTrue(error < 1e-10, name + ": relative difference " + error);
    }
    assertTrue(maxAbs(expected.get("enc/out/W")) > 1e-3, "the compared gradient is trivially zero");
  }

  /**
   * Dis_l(x~) = Dis_l(x) when x~ = x, under D's dropout (x and x~ share masks): zero error and a zero
   * decoder gradient. The decoder's last kernel is zeroed so that x~ is the constant 2 sigmoid(b) - 1.
   */
  @Test
  void featureErrorAndItsGradientVanishWhenTheReconstructionIsTheImage() {
    VaeGanConfig config = with(VaeGanContractTest.tiny(GRAY8, 0, 2), 0.3, 1.0, 0.0);
    VaeGanNetwork net = new VaeGanNetwork(config, 5L, DataType.DOUBLE);
    net.parameters().get("dec/out/W").assign(0.0);
    net.parameters().get("dec/out/b").assign(0.4);
    INDArray x = Nd4j.valueArrayOf(new long[] {3, 1, 8, 8}, 2 * sigmoid(0.4) - 1, DataType.DOUBLE);
    VaeGanObjective objective = new VaeGanObjective(net);
    VaeGanObjective.Gradients grads = objective.gradients(new Batch(x, null), objective.drawNoise(3, new Rng(3), DataType.DOUBLE));
    assertTrue(maxAbs(grads.outputs().get(net.featureError)) < 1e-20, grads.outputs().get(net.featureError).toString());
    for (Map.Entry<String, INDArray> e : grads.decoder().entrySet()) {
      assertTrue(maxAbs(e.getValue()) < 1e-12, e.getKey() + ": " + e.getValue());
    }
  }

  /**
   * A 2x2 image, a decoder whose every logit is c * relu(0 z + 1) + d = c + d, and a one-layer D
   * (1x1 kernel, one channel): Dis_1(v) = lrelu(a v + b) of a constant image v. With w = 1, p = 0,
   * L_dec = mean_i 0.5 (Dis_1(x_i) - Dis_1(x~))^2, and dL/dd = dL/dc = mean_i (Dis_1(x~) -
   * Dis_1(x_i)) lrelu'(a x~ + b) a 2 sigma'(c + d).
   */
  @Test
  void featureErrorGradientMatchesTheHandDerivedValueOnAOneLayerDiscriminator() {
    AdamConfig adam = AdamConfig.of(1e-3, 0.5);
    double slope = 0.3;
    VaeGanConfig config = new VaeGanConfig(
        new ImageShape(1, 2, 2), 0, 1, 2, 1, List.of(), 1, List.of(), 1, List.of(1), slope, 0.0, 1, 1.0, 0.0,
        adam, adam, adam);
    VaeGanNetwork net = new VaeGanNetwork(config, 5L, DataType.DOUBLE);
    double c = 0.8, d = -0.3, a = 1.5, b = -0.2;
    net.parameters().get("dec/dense/W").assign(0.0);
    net.parameters().get("dec/dense/b").assign(1.0);
    net.parameters().get("dec/out/W").assign(c);
    net.parameters().get("dec/out/b").assign(d);
    net.parameters().get("disc/conv0/W").assign(a);
    net.parameters().get("disc/conv0/b").assign(b);
    double[] pixels = {0.9, -0.7};
    INDArray x = Nd4j.create(DataType.DOUBLE, 2, 1, 2, 2);
    for (int i = 0; i < pixels.length; i++) {
      x.get(org.nd4j.linalg.indexing.NDArrayIndex.point(i)).assign(pixels[i]);
    }
    VaeGanObjective objective = new VaeGanObjective(net);
    VaeGanObjective.Gradients grads = objective.gradients(new Batch(x, null), objective.drawNoise(2, new Rng(3), DataType.DOUBLE));

    double s = sigmoid(c + d);
    double recon = 2 * s - 1;
    double preRecon = a * recon + b;
    double fRecon = preRecon > 0 ? preRecon : slope * preRecon;
    double dRecon = preRecon > 0 ? 1 : slope;
    double grad = 0;
    for (int i = 0; i < pixels.length; i++) {
      double pre = a * pixels[i] + b;
      double f = pre > 0 ? pre : slope * pre;
      assertEquals(0.5 * (f - fRecon) * (f - fRecon), grads.outputs().get(net.featureError).getDouble(i), 1e-12);
      grad += (fRecon - f) * dRecon * a * 2 * s * (1 - s) / pixels.length;
    }
    assertTrue(a * pixels[1] + b < 0, "the second image must exercise LeakyReLU's slope");
    assertEquals(grad, grads.decoder().get("dec/out/b").getDouble(0), 1e-12);
    assertEquals(grad, grads.decoder().get("dec/out/W").getDouble(0), 1e-12);
  }

  /**
   * Every player's loss, Dis_l and the [0, 1] / [-1, 1] conversions included, against central
   * differences; the weights are jittered (as VaeTest) so that no ReLU input sits exactly on its kink
   * (zero biases after a dead unit do).
   */
  @Test
  void eachPlayersGradientMatchesFiniteDifferences() {
    VaeGanConfig config = with(VaeGanContractTest.tiny(GRAY8, 2, 2), 0.3, 0.5, 0.5);
    VaeGanNetwork net = new VaeGanNetwork(config, 5L, DataType.DOUBLE);
    net.parameters().asMap().forEach((n, a) -> a.addi(new Rng(n.hashCode()).gaussian(DataType.DOUBLE, a.shape()).muli(0.1)));
    VaeGanObjective objective = new VaeGanObjective(net);
    Batch batch = new Batch(new Rng(1).uniform(DataType.DOUBLE, -1, 1, 2, 1, 8, 8), new int[] {0, 1});
    VaeGanObjective.Noise noise = objective.drawNoise(2, new Rng(3), DataType.DOUBLE);
    VaeGanObjective.Gradients grads = objective.gradients(batch, noise);

    Map<String, INDArray> in = new HashMap<>();
    in.put(VaeGanNetwork.X, batch.images());
    in.put(VaeGanNetwork.Y, batch.oneHot(2));
    in.put(VaeGanNetwork.EPS, noise.eps());
    for (int i = 0; i < noise.pairMasks().size(); i++) {
      in.put(VaeGanNetwork.REAL + "/mask" + i, noise.pairMasks().get(i));
      in.put(VaeGanNetwork.RECON + "/mask" + i, noise.pairMasks().get(i));
    }
    double e = GradientCheck.maxRelativeError(net.encoderGraph, in, net.encoderLoss, net.encoderNames, 1e-6, 7);
    assertTrue(e < 1e-3, "encoder: max relative error " + e);

    in.remove(VaeGanNetwork.EPS);
    in.put(VaeGanNetwork.Z, grads.outputs().get(net.z));
    in.put(VaeGanNetwork.Z_PRIOR, noise.zPrior());
    for (int i = 0; i < noise.priorMasks().size(); i++) {
      in.put(VaeGanNetwork.PRIOR + "/mask" + i, noise.priorMasks().get(i));
    }
    double dec = GradientCheck.maxRelativeError(net.decoderGraph, in, net.decoderLoss, net.decoderNames, 1e-6, 7);
    assertTrue(dec < 1e-3, "decoder: max relative error " + dec);

    in.remove(VaeGanNetwork.Z);
    in.remove(VaeGanNetwork.Z_PRIOR);
    in.put(VaeGanNetwork.X_RECON, grads.outputs().get(net.reconstruction));
    in.put(VaeGanNetwork.X_PRIOR, grads.outputs().get(net.prior));
    double dis = GradientCheck.maxRelativeError(net.discriminatorGraph, in, net.discriminatorLoss, net.discriminatorNames, 1e-6, 7);
    assertTrue(dis < 1e-3, "discriminator: max relative error " + dis);
  }

  @Test
  void eachPlayersUpdateTouchesOnlyItsOwnParametersAndUsesThePreStepOthers() {
    VaeGanConfig config = VaeGanContractTest.tiny(GRAY8, 0, 2);
    GenerativeModel stepped = new VaeGanFamily().create(config, 3L);
    GenerativeModel manual = new VaeGanFamily().create(config, 3L);
    Batch batch = new Batch(new Rng(1).uniform(DataType.FLOAT, -1, 1, 4, 1, 8, 8), null);

    stepped.objective().step(batch, new Rng(9));

    VaeGanNetwork net = (VaeGanNetwork) manual.network();
    VaeGanObjective objective = (VaeGanObjective) manual.objective();
    VaeGanObjective.Gradients grads = objective.gradients(batch, objective.drawNoise(4, new Rng(9), DataType.FLOAT));
    assertEquals(net.encoderParameters().names(), grads.encoder().keySet());
    assertEquals(net.decoderParameters().names(), grads.decoder().keySet());
    assertEquals(net.discriminatorParameters().names(), grads.discriminator().keySet());
    assertEquals(net.parameters().size(), grads.encoder().size() + grads.decoder().size() + grads.discriminator().size());

    List<NamedArrays> players = List.of(net.encoderParameters(), net.decoderParameters(), net.discriminatorParameters());
    List<AdamConfig> optimizers = List.of(config.encoderOptimizer(), config.decoderOptimizer(), config.discriminatorOptimizer());
    List<Map<String, INDArray>> gradients = List.of(grads.encoder(), grads.decoder(), grads.discriminator());
    for (int p = 0; p < 3; p++) {
      List<NamedArrays> before = new ArrayList<>();
      players.forEach(player -> before.add(player.copy()));
      new Adam(optimizers.get(p), players.get(p)).update(net.parameters(), gradients.get(p));
      for (int other = 0; other < 3; other++) {
        boolean same = players.get(other).sameValues(before.get(other));
        assertEquals(other != p, same, "update of player " + p + " vs parameters of player " + other);
      }
    }
    assertTrue(stepped.network().parameters().sameValues(net.parameters()), "step() differs from the three separate updates");
  }

  @Test
  void likelihoodIsTheVaeFamilysElboOfTheSameEncoderAndDecoder() {
    VaeGanConfig config = VaeGanContractTest.tiny(GRAY8, 0, 2);
    GenerativeModel vaegan = new VaeGanFamily().create(config, 3L);
    GenerativeModel vae = new VaeFamily().create(config.vae(), 3L);
    Batch batch = new Batch(new Rng(1).uniform(DataType.FLOAT, -1, 1, 3, 1, 8, 8), null);
    Map<String, double[]> a = vaegan.likelihood().orElseThrow().perImage(vaegan.network().parameters(), batch, new Rng(4));
    Map<String, double[]> b = vae.likelihood().orElseThrow().perImage(vae.network().parameters(), batch, new Rng(4));
    assertEquals(Set.of("elbo-nats", "iwae-64-nats"), a.keySet());
    assertArrayEquals(b.get("elbo-nats"), a.get("elbo-nats"), 0.0);
    assertArrayEquals(b.get("iwae-64-nats"), a.get("iwae-64-nats"), 0.0);
    assertTrue(a.get("elbo-nats")[0] < 0, "log-likelihood bound of binary images must be negative");
  }

  @Test
  void rgb32x32WorksConditionally() {
    AdamConfig adam = AdamConfig.of(2e-4, 0.5);
    VaeGanConfig rgb = new VaeGanConfig(
        new ImageShape(3, 32, 32), 10, 8, 16, 3, List.of(8, 16), 8, List.of(16, 8), 5, List.of(8, 16), 0.3, 0.3, 2,
        1e-2, 0.0, adam, adam, adam);
    GenerativeModel model = new VaeGanFamily().create(rgb, 1L);
    INDArray x = model.sampler().sample(model.network().parameters(), new SampleRequest(1L, 0, 2, new int[] {3, 9}));
    assertArrayEquals(new long[] {2, 3, 32, 32}, x.shape());
    Batch batch = new Batch(new Rng(1).uniform(DataType.FLOAT, -1, 1, 2, 3, 32, 32), new int[] {0, 1});
    NamedArrays before = model.network().parameters().copy();
    assertTrue(model.objective().step(batch, new Rng(2)).allFinite());
    assertFalse(model.network().parameters().sameValues(before));
  }

  @Test
  void badHybridSettingsAreRejectedNamingTheField() {
    VaeGanConfig t = VaeGanContractTest.tiny(GRAY8, 0, 2);
    IllegalArgumentException layer = assertThrows(IllegalArgumentException.class, () -> new VaeGanConfig(
        t.image(), 0, 4, 2, 3, t.encoderChannels(), 4, t.decoderChannels(), 3, t.discriminatorChannels(), 0.3, 0.3, 3,
        0.5, 0.0, t.encoderOptimizer(), t.decoderOptimizer(), t.discriminatorOptimizer()));
    assertTrue(layer.getMessage().startsWith("featureLayer must be in [1, 2]"), layer.getMessage());
    IllegalArgumentException weight = assertThrows(IllegalArgumentException.class, () -> with(t, 0.3, 1.5, 0.0));
    assertTrue(weight.getMessage().contains("reconVsGanWeight"), weight.getMessage());
    IllegalArgumentException pixel = assertThrows(IllegalArgumentException.class, () -> with(t, 0.3, 0.5, -0.1));
    assertTrue(pixel.getMessage().contains("pixelWeight"), pixel.getMessage());
  }
}
