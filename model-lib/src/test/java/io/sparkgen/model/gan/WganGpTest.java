package io.sparkgen.model.gan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkgen.model.Batch;
import io.sparkgen.model.GenerativeModel;
import io.sparkgen.model.ImageShape;
import io.sparkgen.model.config.Configs;
import io.sparkgen.model.nn.GradientCheck;
import io.sparkgen.model.nn.GraphBuilder;
import io.sparkgen.model.optim.Adam;
import io.sparkgen.model.optim.AdamConfig;
import io.sparkgen.model.params.NamedArrays;
import io.sparkgen.model.random.Rng;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class WganGpTest {

  static GanConfig tiny(ImageShape image, int classes, List<Integer> generatorChannels, List<Integer> discriminatorChannels,
      int kernel, double dropout, int criticSteps) {
    AdamConfig adam = new AdamConfig(1e-3, 0.0, 0.9, 1e-8);
    return new GanConfig(
        image, classes, 4, 4, kernel, generatorChannels, discriminatorChannels, 0.3, dropout, 0.99, 1e-3, adam, adam,
        "wgan-gp", 10.0, criticSteps, "dcgan", StyleConfig.defaults());
  }

  /** Odd sizes on the way down (6 -> 3 -> 2), dropout: the cases where a transposed conv could be off by one. */
  private static GanConfig oddSizes(int classes, int kernel) {
    return tiny(new ImageShape(2, 6, 6), classes, List.of(8, 4), List.of(3, 4), kernel, 0.3, 2);
  }

  /** Every parameter moved off its initial value (zero biases would put LeakyReLU kinks at 0). */
  private static void perturb(NamedArrays params) {
    params.asMap().forEach((n, a) -> a.addi(new Rng(n.hashCode()).gaussian(a.dataType(), a.shape()).muli(0.3)));
  }

  private static void putMasks(Map<String, INDArray> in, String tag, List<long[]> shapes, double keep, Rng rng) {
    for (int i = 0; i < shapes.size(); i++) {
      in.put(tag + "/mask" + i, rng.dropoutMask(DataType.DOUBLE, keep, shapes.get(i)));
    }
  }

  /** (a) The explicit grad_x D equals SameDiff's own dL/dx of L = sum_i D(x_i). */
  private static void inputGradientEqualsAutodiff(GanArchitecture architecture, ImageShape image) {
    NamedArrays params = NamedArrays.empty();
    GraphBuilder g = new GraphBuilder(params, NamedArrays.empty(), 5L, DataType.DOUBLE);
    int n = 3;
    // A variable, not a placeholder: M2.1 gives no dL/dx for a placeholder read through a reshape (the toy's D).
    SDVariable x = g.sd().var("x", new Rng(1).gaussian(DataType.DOUBLE, image.batchShape(n)));
    int classes = architecture.numClasses();
    SDVariable y = classes > 0 ? g.placeholder("y", -1, classes) : null;
    SDVariable score = architecture.discriminator(g, x, y, "a").sum();
    score.markAsLoss();
    SDVariable explicit = architecture.discriminatorInputGradient(g, x, y, "b");
    perturb(params);
    Map<String, INDArray> in = new HashMap<>();
    if (classes > 0) {
      in.put("y", Batch.oneHot(new int[] {0, 2, 1}, classes, DataType.DOUBLE));
    }
    putMasks(in, "a", architecture.dropoutMaskShapes(n), architecture.dropoutKeep(), new Rng(7));
    putMasks(in, "b", architecture.dropoutMaskShapes(n), architecture.dropoutKeep(), new Rng(7));
    INDArray autodiff = g.sd().calculateGradients(in, "x").get("x");
    INDArray mine = g.sd().output(in, explicit.name()).get(explicit.name());
    assertArrayEquals(image.batchShape(n), mine.shape());
    double scale = autodiff.amaxNumber().doubleValue();
    assertTrue(scale > 1e-3, "degenerate gradient " + scale);
    double error = mine.sub(autodiff).amaxNumber().doubleValue() / scale;
    assertTrue(error < 1e-12, "explicit input gradient differs from autodiff by " + error + " (relative)");
  }

  @Test
  void explicitInputGradientOfTheDcganCriticEqualsAutodiff() {
    inputGradientEqualsAutodiff(new Dcgan(oddSizes(0, 5)), new ImageShape(2, 6, 6));
    GanConfig rgb = tiny(new ImageShape(3, 8, 8), 3, List.of(8, 4, 4), List.of(4, 8), 3, 0.3, 2);
    inputGradientEqualsAutodiff(new Dcgan(rgb), rgb.image());
    inputGradientEqualsAutodiff(new Dcgan(oddSizes(3, 4)), new ImageShape(2, 6, 6));
  }

  @Test
  void explicitInputGradientOfTheToyEqualsAutodiff() {
    inputGradientEqualsAutodiff(new GanTest.Toy(), new ImageShape(1, 1, 1));
  }

  /** (b) Finite differences of the penalty E[(||grad_x D(x)||_2 - 1)^2] w.r.t. D's parameters: double backprop. */
  @Test
  void gradientPenaltysParameterGradientMatchesFiniteDifferences() {
    GanConfig config = oddSizes(3, 3);
    Dcgan architecture = new Dcgan(config);
    NamedArrays params = NamedArrays.empty();
    GraphBuilder g = new GraphBuilder(params, NamedArrays.empty(), 5L, DataType.DOUBLE);
    SDVariable x = g.placeholder("x", config.image().batchShape(-1));
    SDVariable y = g.placeholder("y", -1, 3);
    SDVariable grad = architecture.discriminatorInputGradient(g, x, y, "mix");
    SDVariable norm = g.sd().math().sqrt(g.sd().math().square(grad.reshape(-1, 72)).sum(1));
    SDVariable penalty = g.sd().math().square(norm.sub(1.0)).mean();
    penalty.markAsLoss();
    perturb(params);
    int n = 3;
    Map<String, INDArray> in = new HashMap<>();
    in.put("x", new Rng(1).gaussian(DataType.DOUBLE, config.image().batchShape(n)));
    in.put("y", Batch.oneHot(new int[] {0, 2, 1}, 3, DataType.DOUBLE));
    putMasks(in, "mix", architecture.dropoutMaskShapes(n), architecture.dropoutKeep(), new Rng(7));
    List<String> critic = params.filter(p -> p.startsWith("disc/")).names().stream().toList();
    assertEquals(params.names(), Set.copyOf(critic), "the input gradient must use D's parameters only");
    // Every 7th element of every parameter (all 378 take minutes on a shared CPU).
    double error = GradientCheck.maxRelativeError(g.sd(), in, penalty.name(), critic, 1e-6, 7);
    assertTrue(error < 1e-5, "max relative error " + error);
    // The penalty does depend on D's weights: its gradient is not zero.
    INDArray dw = g.sd().calculateGradients(in, "disc/conv0/W").get("disc/conv0/W");
    assertTrue(dw.amaxNumber().doubleValue() > 1e-6, "zero penalty gradient");
  }

  /** (b) The whole critic loss of the network, x_hat and lambda included, against finite differences. */
  @Test
  void criticLossGradientMatchesFiniteDifferences() {
    GanConfig config = oddSizes(0, 3);
    Dcgan architecture = new Dcgan(config);
    GanNetwork net =
        new GanNetwork(architecture, config.image().batchShape(-1), 5L, DataType.DOUBLE, GanLoss.WGAN_GP, 10.0, 2);
    perturb(net.parameters());
    int n = 3;
    Map<String, INDArray> in = new HashMap<>();
    in.put(GanNetwork.X_REAL, new Rng(1).uniform(DataType.DOUBLE, -1, 1, config.image().batchShape(n)));
    in.put(GanNetwork.X_FAKE, new Rng(2).uniform(DataType.DOUBLE, -1, 1, config.image().batchShape(n)));
    in.put(GanNetwork.EPSILON, new Rng(3).uniform(DataType.DOUBLE, 0, 1, n, 1, 1, 1));
    Rng masks = new Rng(4);
    for (String tag : List.of(GanNetwork.REAL, GanNetwork.FAKE, GanNetwork.MIX)) {
      putMasks(in, tag, architecture.dropoutMaskShapes(n), architecture.dropoutKeep(), masks);
    }
    double error =
        GradientCheck.maxRelativeError(net.discriminatorGraph, in, net.discriminatorLoss, net.discriminatorNames, 1e-6, 5);
    assertTrue(error < 1e-5, "max relative error " + error);
  }

  /** (c) On G(z) = a z + b, D(x) = w x + c: ||grad_x D|| = |w|, so everything is in closed form. */
  @Test
  void bothPlayersGradientsMatchHandDerivedValuesOnTheToy() {
    GanNetwork net = new GanNetwork(new GanTest.Toy(), new long[] {-1, 1, 1, 1}, 1L, DataType.DOUBLE, GanLoss.WGAN_GP, 10.0, 1);
    double a = 0.7, b = -0.2, w = 1.3, c = 0.1, lambda = 10.0;
    net.parameters().get("gen/g/W").assign(a);
    net.parameters().get("gen/g/b").assign(b);
    net.parameters().get("disc/d/W").assign(w);
    net.parameters().get("disc/d/b").assign(c);
    double[] x = {0.5, -1.0, 2.0};
    double[] z = {0.3, -0.8, 1.1};
    double[] eps = {0.25, 0.9, 0.5};
    WganGpObjective objective = new WganGpObjective(net, AdamConfig.of(1e-3, 0.5), AdamConfig.of(1e-3, 0.5), 1);
    Batch batch = new Batch(Nd4j.createFromArray(x).reshape(3, 1, 1, 1), null);
    WganGpObjective.Gradients critic =
        objective.criticGradients(
            batch,
            new WganGpObjective.CriticNoise(
                Nd4j.createFromArray(z).reshape(3, 1), Map.of(), List.of(), List.of(), List.of(), Nd4j.createFromArray(eps).reshape(3, 1, 1, 1)));
    WganGpObjective.Gradients generator =
        objective.generatorGradients(batch, new WganGpObjective.GeneratorNoise(Nd4j.createFromArray(z).reshape(3, 1), Map.of(), List.of()));

    // L_D = mean(w G(z) + c) - mean(w x + c) + lambda (|w| - 1)^2; L_G = -mean(w G(z) + c).
    int n = x.length;
    double meanFake = 0, meanReal = 0, meanZ = 0;
    for (int i = 0; i < n; i++) {
      meanFake += (a * z[i] + b) / n;
      meanReal += x[i] / n;
      meanZ += z[i] / n;
      double xHat = eps[i] * x[i] + (1 - eps[i]) * (a * z[i] + b);
      assertEquals(xHat, critic.outputs().get(net.interpolate).getDouble(i), 1e-15);
    }
    double norm = Math.sqrt(w * w + GanNetwork.NORM_FLOOR);
    assertEquals(w * meanFake - w * meanReal + lambda * (norm - 1) * (norm - 1),
        critic.outputs().get(net.discriminatorLoss).getDouble(0), 1e-12);
    assertEquals((norm - 1) * (norm - 1), critic.outputs().get(net.gradientPenalty).getDouble(0), 1e-15);
    assertEquals(Set.of("disc/d/W", "disc/d/b"), critic.gradients().keySet());
    assertEquals(Set.of("gen/g/W", "gen/g/b"), generator.gradients().keySet());
    assertEquals(meanFake - meanReal + 2 * lambda * (norm - 1) * w / norm,
        critic.gradients().get("disc/d/W").getDouble(0), 1e-12);
    assertEquals(0.0, critic.gradients().get("disc/d/b").getDouble(0), 1e-15);
    assertEquals(-w * meanZ, generator.gradients().get("gen/g/W").getDouble(0), 1e-12);
    assertEquals(-w, generator.gradients().get("gen/g/b").getDouble(0), 1e-12);
  }

  /** (d) A step is n_critic critic updates, each at the parameters the last left, then one G update. */
  @Test
  void aStepIsCriticStepsCriticUpdatesThenOneGeneratorUpdate() {
    GanConfig config = tiny(new ImageShape(1, 8, 8), 0, List.of(8, 4, 4), List.of(4, 8), 3, 0.3, 3);
    GenerativeModel stepped = new GanFamily().create(config, 3L);
    GenerativeModel manual = new GanFamily().create(config, 3L);
    Batch batch = new Batch(new Rng(1).uniform(DataType.FLOAT, -1, 1, 7, 1, 8, 8), null);

    stepped.objective().step(batch, new Rng(9));
    assertEquals(3.0, stepped.objective().optimizerState().get("discriminator/t").getDouble(0));
    assertEquals(1.0, stepped.objective().optimizerState().get("generator/t").getDouble(0));

    GanNetwork net = (GanNetwork) manual.network();
    WganGpObjective objective = (WganGpObjective) manual.objective();
    Adam criticAdam = new Adam(config.discriminatorOptimizer(), net.discriminatorParameters());
    Adam generatorAdam = new Adam(config.generatorOptimizer(), net.generatorParameters());
    Rng rng = new Rng(9);
    NamedArrays generatorBefore = net.generatorParameters().copy();
    int images = 0;
    for (int t = 0; t < 3; t++) {
      Batch real = objective.slice(batch, t);
      images += real.size();
      NamedArrays criticBefore = net.discriminatorParameters().copy();
      WganGpObjective.Gradients grads = objective.criticGradients(real, objective.drawCriticNoise(real.size(), rng, DataType.FLOAT));
      criticAdam.update(net.parameters(), grads.gradients());
      assertFalse(net.discriminatorParameters().sameValues(criticBefore), "critic update " + t + " changed nothing");
      assertTrue(net.generatorParameters().sameValues(generatorBefore), "critic update " + t + " changed G");
    }
    assertEquals(7, images, "the slices must cover the batch once");
    NamedArrays criticAfter = net.discriminatorParameters().copy();
    Batch first = objective.slice(batch, 0);
    WganGpObjective.Gradients grads = objective.generatorGradients(first, objective.drawGeneratorNoise(first.size(), rng, DataType.FLOAT));
    generatorAdam.update(net.parameters(), grads.gradients());
    assertTrue(net.discriminatorParameters().sameValues(criticAfter), "G's update changed the critic");
    assertFalse(net.generatorParameters().sameValues(generatorBefore), "G's update changed nothing");

    // Batch norm statistics are the step's only other state; align them, then the parameters must agree bit for bit.
    manual.network().buffers().assign(stepped.network().buffers());
    assertTrue(stepped.network().parameters().sameValues(net.parameters()), "step() differs from 3 critic updates + 1 G update");
  }

  @Test
  void conditionalRgbCriticStepsOnItsSlicesLabels() {
    GanConfig rgb = tiny(new ImageShape(3, 8, 8), 3, List.of(8, 4, 4), List.of(4, 8), 3, 0.3, 2);
    GenerativeModel model = new GanFamily().create(rgb, 1L);
    Batch batch = new Batch(new Rng(1).uniform(DataType.FLOAT, -1, 1, 4, 3, 8, 8), new int[] {0, 1, 2, 0});
    WganGpObjective objective = (WganGpObjective) model.objective();
    assertArrayEquals(new int[] {2, 0}, objective.slice(batch, 1).labels());
    var report = objective.step(batch, new Rng(2));
    assertTrue(report.allFinite(), report.metrics().toString());
    assertEquals(Set.of("d_loss", "g_loss", "w_distance", "gradient_penalty", "grad_norm"), report.metrics().keySet());
    assertTrue(report.get("grad_norm") > 0, "critic gradient norm " + report.get("grad_norm"));
  }

  /** TrainingFlopsTest's hand-summed DCGAN: per real image G + 12 D, plus 3 (G + D) per n_critic real images. */
  @Test
  void trainingFlopsCountTheCriticIterationsAndThePenalty() {
    long g = 1_254_400 + 40_140_800 + 10_035_200 + 313_600;
    long d = 313_600 + 10_035_200 + 6_272;
    GanFamily f = new GanFamily();
    GenerativeModel model = f.create(GanConfig.wganGpDefaults(), 0L);
    assertEquals(2.0 * (g + 12 * d) + 2.0 * 3 * (g + d) / 5, model.network().trainingFlopsPerImage(), 1e-3);
  }

  @Test
  void aBatchSmallerThanCriticStepsIsRefusedNamingTheKey() {
    GenerativeModel model = new GanFamily().create(tiny(new ImageShape(1, 8, 8), 0, List.of(8, 4, 4), List.of(4, 8), 3, 0.0, 5), 3L);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> model.objective().step(new Batch(new Rng(1).uniform(DataType.FLOAT, -1, 1, 4, 1, 8, 8), null), new Rng(2)));
    assertTrue(e.getMessage().contains("criticSteps = 5"), e.getMessage());
  }

  @Test
  void lossWganGpAloneSelectsThePapersDefaultsAndTheDcganDefaultsStay() {
    GanFamily family = new GanFamily();
    ObjectNode wgan = Configs.MAPPER.createObjectNode().put("loss", "wgan-gp");
    GanConfig config = family.readConfig(wgan);
    assertEquals(GanConfig.wganGpDefaults(), config);
    assertEquals(10.0, config.gpWeight());
    assertEquals(5, config.criticSteps());
    assertEquals(new AdamConfig(1e-4, 0.0, 0.9, 1e-8), config.discriminatorOptimizer());
    assertEquals(new AdamConfig(1e-4, 0.0, 0.9, 1e-8), config.generatorOptimizer());
    assertEquals(0.0, config.dropoutRate());
    assertEquals(3, family.readConfig(wgan.deepCopy().put("criticSteps", 3)).criticSteps());

    GanConfig dcgan = family.readConfig(Configs.MAPPER.createObjectNode());
    assertEquals(GanConfig.defaults(), dcgan);
    assertEquals(GanLoss.NON_SATURATING, dcgan.lossKind());
    assertEquals(AdamConfig.of(2e-4, 0.5), dcgan.generatorOptimizer());
    assertEquals(0.3, dcgan.dropoutRate());
    assertInstanceOf(GanObjective.class, family.create(GanContractTest.tiny(new ImageShape(1, 8, 8), 0, 4), 1L).objective());
    assertInstanceOf(WganGpObjective.class,
        family.create(tiny(new ImageShape(1, 8, 8), 0, List.of(8, 4, 4), List.of(4, 8), 3, 0.0, 5), 1L).objective());
    // The resolved config, as checkpoints and config.conf record it, names the loss.
    assertEquals("wgan-gp", Configs.toTree(config).get("loss").asText());
    assertEquals(config, family.readConfig(Configs.toTree(config)));
  }

  @Test
  void invalidLossSettingsAreErrorsNamingTheKey() {
    GanFamily family = new GanFamily();
    IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
        () -> family.readConfig(Configs.MAPPER.createObjectNode().put("loss", "wgan")));
    assertTrue(unknown.getMessage().contains("loss must be non-saturating or wgan-gp, got 'wgan'"), unknown.getMessage());
    IllegalArgumentException gp = assertThrows(IllegalArgumentException.class,
        () -> family.readConfig(Configs.MAPPER.createObjectNode().put("gpWeight", 10.0)));
    assertTrue(gp.getMessage().contains("gpWeight"), gp.getMessage());
    IllegalArgumentException steps = assertThrows(IllegalArgumentException.class,
        () -> family.readConfig(Configs.MAPPER.createObjectNode().put("criticSteps", 5)));
    assertTrue(steps.getMessage().contains("criticSteps"), steps.getMessage());
    IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
        () -> family.readConfig(Configs.MAPPER.createObjectNode().put("loss", "wgan-gp").put("gpWeight", 0.0)));
    assertTrue(zero.getMessage().contains("gpWeight must be > 0"), zero.getMessage());
  }
}
