package io.sparkgen.model.gan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgen.model.Batch;
import io.sparkgen.model.GenerativeModel;
import io.sparkgen.model.ImageShape;
import io.sparkgen.model.SampleRequest;
import io.sparkgen.model.SamplerOptions;
import io.sparkgen.model.StepReport;
import io.sparkgen.model.config.Configs;
import io.sparkgen.model.nn.GraphBuilder;
import io.sparkgen.model.nn.Layers;
import io.sparkgen.model.params.NamedArrays;
import io.sparkgen.model.random.Rng;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The style generator: mixing and truncation as exact identities, the tracked mean w, its draws, sizes and wiring. */
class StyleGanTest {

  private static final GanConfig CONDITIONAL =
      StyleGanContractTest.tinyStyle(new ImageShape(1, 8, 8), 2, List.of(8, 4), "non-saturating");

  /** The training and inference graphs of one G on shared parameters, and a mean w moved off 0. */
  private static final class Graphs {
    final StyleGan architecture = new StyleGan(CONDITIONAL);
    final NamedArrays parameters = NamedArrays.empty();
    final NamedArrays buffers = NamedArrays.empty();
    final GraphBuilder training = new GraphBuilder(parameters, buffers, 1L, DataType.FLOAT);
    final GraphBuilder inference = new GraphBuilder(parameters, buffers, 1L, DataType.FLOAT);
    final String trainingImage;
    final String inferenceImage;
    final List<Layers.RunningAverage> averages = new ArrayList<>();

    Graphs() {
      trainingImage = build(training, true);
      inferenceImage = build(inference, false);
      buffers.get(StyleGan.W_AVG).assign(new Rng(3).gaussian(DataType.FLOAT, 1, 8));
    }

    private String build(GraphBuilder g, boolean train) {
      return architecture
          .generator(g, g.placeholder(GanNetwork.Z, -1, 4), g.placeholder(GanNetwork.Y, -1, 2), train, averages)
          .name();
    }

    INDArray train(INDArray z, INDArray zMix, INDArray mask, Map<String, INDArray> noise) {
      Map<String, INDArray> in = new HashMap<>(noise);
      in.put(GanNetwork.Z, z);
      in.put(StyleGan.Z_MIX, zMix);
      in.put(StyleGan.STYLE_MASK, mask);
      in.put(GanNetwork.Y, LABELS);
      return training.sd().output(in, trainingImage).get(trainingImage);
    }

    Map<String, INDArray> infer(INDArray z, double psi, Map<String, INDArray> noise) {
      Map<String, INDArray> in = new HashMap<>(noise);
      in.put(GanNetwork.Z, z);
      in.put(StyleGan.PSI, Nd4j.valueArrayOf(new long[] {1, 1}, psi, DataType.FLOAT));
      in.put(GanNetwork.Y, LABELS);
      return inference.sd().output(in, inferenceImage, StyleGan.W);
    }
  }

  private static final INDArray LABELS = Batch.oneHot(new int[] {0, 1, 1}, 2, DataType.FLOAT);

  private static double maxAbsDiff(INDArray a, INDArray b) {
    return a.sub(b).amaxNumber().doubleValue();
  }

  /**
   * Style mixing (Karras et al. 2019, Sec. 3.1): with the mask all 1 (no crossover) the training
   * graph's image is exactly the inference image of z at psi = 1, whatever z_mix; with crossover at
   * layer 0 (mask all 0) it is exactly the image of z_mix; a crossover inside gives a third image.
   */
  @Test
  void mixingMaskSelectsTheFirstOrSecondLatentsStylesExactly() {
    Graphs g = new Graphs();
    Rng rng = new Rng(4);
    INDArray z1 = rng.gaussian(DataType.FLOAT, 3, 4);
    INDArray z2 = rng.gaussian(DataType.FLOAT, 3, 4);
    Map<String, INDArray> noise = g.architecture.generatorInputs(3, false, rng, DataType.FLOAT);
    int layers = CONDITIONAL.style().styleLayers();
    assertEquals(4, layers, "conv at 4x4, two at 8x8, to-image");

    INDArray ofZ1 = g.infer(z1, 1.0, noise).get(g.inferenceImage);
    INDArray ofZ2 = g.infer(z2, 1.0, noise).get(g.inferenceImage);
    assertEquals(0.0, maxAbsDiff(g.train(z1, z2, Nd4j.ones(DataType.FLOAT, 3, layers), noise), ofZ1));
    assertEquals(0.0, maxAbsDiff(g.train(z1, z1.neg(), Nd4j.ones(DataType.FLOAT, 3, layers), noise), ofZ1));
    assertEquals(0.0, maxAbsDiff(g.train(z1, z2, Nd4j.zeros(DataType.FLOAT, 3, layers), noise), ofZ2));

    INDArray crossover2 = Nd4j.createFromArray(new float[][] {{1, 1, 0, 0}, {1, 1, 0, 0}, {1, 1, 0, 0}});
    INDArray mixed = g.train(z1, z2, crossover2, noise);
    assertTrue(maxAbsDiff(mixed, ofZ1) > 1e-4 && maxAbsDiff(mixed, ofZ2) > 1e-4, "a crossover at layer 2 mixes both");
  }

  /**
   * Truncation (Karras et al. 2019, Sec. 4), w' = psi w + (1 - psi) mean(w): psi = 0 gives exactly
   * the mean w for every z, hence one image for all z with the same noise; psi = 1/2 halves the way.
   */
  @Test
  void truncationPullsWTowardsItsTrackedMean() {
    Graphs g = new Graphs();
    Rng rng = new Rng(5);
    INDArray z = rng.gaussian(DataType.FLOAT, 3, 4);
    Map<String, INDArray> one = g.architecture.generatorInputs(1, false, rng, DataType.FLOAT);
    Map<String, INDArray> noise = new HashMap<>();
    one.forEach((name, row) -> noise.put(name, Nd4j.concat(0, row, row, row)));
    INDArray mean = g.buffers.get(StyleGan.W_AVG);

    // The rows differ in z and label: psi = 0 discards both.
    Map<String, INDArray> zero = g.infer(z, 0.0, noise);
    for (int i = 0; i < 3; i++) {
      assertEquals(0.0, maxAbsDiff(zero.get(StyleGan.W).getRow(i), mean.getRow(0)));
      assertEquals(0.0, maxAbsDiff(zero.get(g.inferenceImage).slice(i), zero.get(g.inferenceImage).slice(0)));
    }
    INDArray w = g.infer(z, 1.0, noise).get(StyleGan.W);
    INDArray half = g.infer(z, 0.5, noise).get(StyleGan.W);
    assertTrue(half.equalsWithEps(w.add(mean.broadcast(3, 8)).muli(0.5), 1e-6));
    assertTrue(maxAbsDiff(w.getRow(0), w.getRow(1)) > 1e-4, "untruncated w depends on z");
  }

  /** mean(w) <- beta mean(w) + (1 - beta) mean over the batch of w(z) (StyleGAN2's w_avg), from 0. */
  @Test
  void meanWFollowsTheTrainingBatchesWithBeta() {
    GenerativeModel model = new GanFamily().create(CONDITIONAL, 3L);
    GanObjective objective = (GanObjective) model.objective();
    GanNetwork net = (GanNetwork) model.network();
    Batch batch = new Batch(new Rng(1).uniform(DataType.FLOAT, -1, 1, 4, 1, 8, 8), new int[] {0, 1, 0, 1});
    assertEquals(0.0, net.buffers().get(StyleGan.W_AVG).amaxNumber().doubleValue());
    GanObjective.Gradients grads = objective.gradients(batch, objective.drawNoise(4, new Rng(9), DataType.FLOAT));
    assertEquals(1, net.averages.size(), "the mean w is the style generator's only running average");
    INDArray batchMean = grads.outputs().get(net.averages.get(0).batchValue().name());
    objective.step(batch, new Rng(9));
    INDArray tracked = net.buffers().get(StyleGan.W_AVG);
    assertTrue(tracked.equalsWithEps(batchMean.mul(1 - 0.995), 1e-7), tracked + " vs " + batchMean);
    assertTrue(batchMean.amaxNumber().doubleValue() > 1e-3);
  }

  /**
   * The training draws: z_mix, then per image a crossover k in [1, 4) with probability 0.9 (layers
   * before k keep w(z)), else none; the noise maps at their convolutions' sizes. Inference draws the
   * noise maps alone.
   */
  @Test
  void mixingCrossoversAreDrawnWithTheConfiguredProbability() {
    int n = 4000;
    Map<String, INDArray> in = new StyleGan(CONDITIONAL).generatorInputs(n, true, new Rng(6), DataType.FLOAT);
    INDArray mask = in.get(StyleGan.STYLE_MASK);
    int[] crossovers = new int[5];
    for (int i = 0; i < n; i++) {
      int ones = (int) mask.getRow(i).sumNumber().doubleValue();
      for (int l = 0; l < 4; l++) {
        assertEquals(l < ones ? 1.0 : 0.0, mask.getDouble(i, l), "row " + i + ": ones, then zeros");
      }
      crossovers[ones]++;
    }
    assertEquals(0, crossovers[0], "layer 0 always takes w(z)");
    // Binomial(4000, 0.9) / 4000 has sd 0.005; each of the 3 crossovers 0.3, sd 0.007: 4 sd bounds.
    assertEquals(0.1, crossovers[4] / (double) n, 0.02);
    for (int k = 1; k < 4; k++) {
      assertEquals(0.3, crossovers[k] / (double) n, 0.03, "crossover " + k);
    }
    assertArrayEquals(new long[] {n, 4}, in.get(StyleGan.Z_MIX).shape());
    assertArrayEquals(new long[] {n, 1, 4, 4}, in.get(StyleGan.NOISE + 0).shape());
    assertArrayEquals(new long[] {n, 1, 8, 8}, in.get(StyleGan.NOISE + 2).shape());
    Map<String, INDArray> sampling = new StyleGan(CONDITIONAL).generatorInputs(1, false, new Rng(6), DataType.FLOAT);
    assertEquals(java.util.Set.of("noise0", "noise1", "noise2"), sampling.keySet());
  }

  @Test
  void eachPlayersUpdateTouchesOnlyItsOwnParameters() {
    GanTest.assertUpdatesDoNotLeak(StyleGanContractTest.tinyStyle(new ImageShape(1, 8, 8), 0, List.of(8, 4), "non-saturating"));
  }

  /** WGAN-GP trains the style G against the DCGAN critic: its penalty's grad D is the critic's own. */
  @Test
  void trainsWithLossWganGp() {
    GenerativeModel model = new GanFamily().create(StyleGanContractTest.tinyStyle(new ImageShape(1, 8, 8), 2, List.of(8, 4), "wgan-gp"), 2L);
    NamedArrays before = model.network().parameters().copy();
    StepReport report = model.objective().step(new Batch(new Rng(1).uniform(DataType.FLOAT, -1, 1, 4, 1, 8, 8), new int[] {0, 1, 1, 0}), new Rng(2));
    assertTrue(report.allFinite());
    assertTrue(report.metrics().get("grad_norm") > 0);
    assertTrue(!model.network().parameters().filter(n -> n.startsWith("gen/")).sameValues(before.filter(n -> n.startsWith("gen/"))));
    GanConfig read = new GanFamily().readConfig(Configs.MAPPER.createObjectNode().put("generator", "style").put("loss", "wgan-gp"));
    assertEquals(GanGenerator.STYLE, read.generatorKind());
    assertEquals(5, read.criticSteps(), "the paper's WGAN-GP settings still apply");
  }

  /** Sampler option truncation: known to the style G only, and it changes the samples once mean w is not 0. */
  @Test
  void samplerTakesTheTruncationOption() {
    GenerativeModel model = new GanFamily().create(CONDITIONAL, 1L);
    model.network().buffers().get(StyleGan.W_AVG).assign(new Rng(3).gaussian(DataType.FLOAT, 1, 8));
    INDArray plain = sample(model, Map.of());
    assertEquals(0.0, maxAbsDiff(plain, sample(model, Map.of("truncation", "1"))));
    assertTrue(maxAbsDiff(plain, sample(model, Map.of("truncation", "0.5"))) > 1e-4);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> sample(model, Map.of("psi", "0.5")));
    assertTrue(e.getMessage().contains("truncation"), e.getMessage());
    GenerativeModel dcgan = new GanFamily().create(GanContractTest.tiny(new ImageShape(1, 8, 8), 2, 4), 1L);
    assertThrows(IllegalArgumentException.class, () -> sample(dcgan, Map.of("truncation", "0.5")));
  }

  private static INDArray sample(GenerativeModel model, Map<String, String> options) {
    return model.sampler().sample(
        model.network().parameters(), new SampleRequest(7L, 0, 2, new int[] {0, 1}, SamplerOptions.of(options)));
  }

  /**
   * {@code {generator = style}} over the DCGAN defaults (28x28x1, z 100): G 1,873,345 = mapping
   * 486,400 (100x256 + 256, then 7 x (256x256 + 256)) + constant 256x7x7 = 12,544 + conv0 at 7x7
   * 256->256 656,128 (affine 256x256 + 256, W 9x256x256, noise strength 256, bias 256) + 14x14:
   * conv1 256->128 360,960 (65,792 + 294,912 + 128 + 128), conv2 128->128 180,608 (32,896 +
   * 147,456 + 256) + 28x28: conv3 128->64 106,752 (32,896 + 73,728 + 128), conv4 64->64 53,440
   * (16,448 + 36,864 + 128) + to-image 64->1 16,513 (16,448 + 64 + 1); D is the DCGAN's 212,865.
   * One buffer: mean w, 256.
   */
  @Test
  void defaultStyleConfigHasTheHandCountedSizes() {
    GanConfig config = new GanFamily().readConfig(Configs.MAPPER.createObjectNode().put("generator", "style"));
    GenerativeModel model = new GanFamily().create(config, 1L);
    assertEquals(1_873_345L + 212_865L, model.network().parameters().length());
    assertEquals(256L, model.network().buffers().length());
    assertEquals(StyleConfig.defaults(), config.style());
  }

  @Test
  void badGeneratorSettingsAreRefusedByName() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new GanFamily().readConfig(Configs.MAPPER.createObjectNode().put("generator", "stylegan")));
    assertTrue(e.getMessage().contains("generator") && e.getMessage().contains("stylegan"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new GanFamily().readConfig(Configs.MAPPER.readTree(
        "{\"generator\": \"style\", \"style\": {\"channels\": [8, 8, 8, 8, 8]}}")));
    assertTrue(e.getMessage().contains("divisible by 16"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new GanFamily().readConfig(Configs.MAPPER.readTree(
        "{\"style\": {\"mixingProbability\": 1.5}}")));
    assertTrue(e.getMessage().contains("mixingProbability"), e.getMessage());
  }
}
