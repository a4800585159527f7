package io.sparkgen.model.diffusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgen.model.GenerativeModel;
import io.sparkgen.model.ImageShape;
import io.sparkgen.model.SampleRequest;
import io.sparkgen.model.SamplerOptions;
import io.sparkgen.model.optim.AdamConfig;
import io.sparkgen.model.params.NamedArrays;
import io.sparkgen.model.random.Rng;
import io.sparkgen.model.train.ImageDataset;
import io.sparkgen.model.train.LocalTrainer;
import io.sparkgen.model.train.TrainConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A tiny class-conditional model trained on two 8x8 patterns (class 0: horizontal stripes, class
 * 1: vertical stripes, each with a random sign and amplitude), then sampled every way.
 */
class DiffusionTest {

  private static final int SIZE = 8;
  private static GenerativeModel model;
  private static NamedArrays weights;
  private static INDArray[] templates;

  static DiffusionConfig config() {
    return new DiffusionConfig(
        new ImageShape(1, SIZE, SIZE), 2, List.of(16, 32), 8, 32, 1000, "linear", 1e-4, 0.02, 0.2, "dpm-solver++", 20,
        1.0, AdamConfig.of(2e-3, 0.9));
  }

  private static ImageDataset data(int n) {
    INDArray images = Nd4j.create(DataType.FLOAT, n, 1, SIZE, SIZE);
    int[] labels = new int[n];
    Rng rng = new Rng(5);
    for (int i = 0; i < n; i++) {
      labels[i] = i % 2;
      double amplitude = (0.5 + 0.4 * rng.nextDouble()) * (rng.nextDouble() < 0.5 ? -1 : 1);
      images.putSlice(i, templates[labels[i]].mul(amplitude).reshape(1, SIZE, SIZE));
    }
    return ImageDataset.of(images, labels);
  }

  @BeforeAll
  static void train() {
    templates = new INDArray[2];
    for (int c = 0; c < 2; c++) {
      templates[c] = Nd4j.create(DataType.FLOAT, SIZE, SIZE);
      for (int y = 0; y < SIZE; y++) {
        for (int x = 0; x < SIZE; x++) {
          templates[c].putScalar(y, x, Math.cos(Math.PI * (c == 0 ? y : x) / 2.0));
        }
      }
    }
    model = new DiffusionFamily().create(config(), 3L);
    LocalTrainer trainer = new LocalTrainer(model, new TrainConfig(3L, 32, 1_000L, 1e9), data(256));
    long start = System.nanoTime();
    double loss = 0;
    for (int i = 0; i < 400; i++) {
      loss = trainer.step().get("loss");
    }
    System.out.printf("trained 400 steps in %.1f s, last loss %.4f%n", (System.nanoTime() - start) / 1e9, loss);
    weights = model.network().parameters().copy();
  }

  /** |cosine similarity| of each sample with its label's template, averaged. */
  private static double classFit(INDArray samples, int[] labels) {
    double sum = 0;
    for (int i = 0; i < labels.length; i++) {
      INDArray s = samples.slice(i).reshape(SIZE * SIZE);
      INDArray t = templates[labels[i]].reshape(SIZE * SIZE);
      sum += Math.abs(s.mul(t).sumNumber().doubleValue()) / (s.norm2Number().doubleValue() * t.norm2Number().doubleValue() + 1e-12);
    }
    return sum / labels.length;
  }

  private static int[] labels(int n) {
    int[] l = new int[n];
    for (int i = 0; i < n; i++) {
      l[i] = i % 2;
    }
    return l;
  }

  private static INDArray sample(int n, long seed, Map<String, String> options) {
    return model.sampler().sample(weights, new SampleRequest(seed, 0, n, labels(n), SamplerOptions.of(options)));
  }

  @Test
  void fastSamplersReachTheStatisticsOfThousandStepDdpm() {
    int n = 32;
    long start = System.nanoTime();
    INDArray ddpm = sample(n, 1, Map.of("sampler", "ddpm"));
    System.out.printf("ddpm 1000 steps x %d images: %.1f s%n", n, (System.nanoTime() - start) / 1e9);
    INDArray ddim = sample(n, 1, Map.of("sampler", "ddim", "steps", "50"));
    INDArray dpm = sample(n, 1, Map.of("sampler", "dpm-solver++", "steps", "20"));
    double[] fit = {classFit(ddpm, labels(n)), classFit(ddim, labels(n)), classFit(dpm, labels(n))};
    double[] std = {ddpm.stdNumber().doubleValue(), ddim.stdNumber().doubleValue(), dpm.stdNumber().doubleValue()};
    double[] absMean = {meanAbs(ddpm), meanAbs(ddim), meanAbs(dpm)};
    String all = "class fit " + java.util.Arrays.toString(fit) + ", std " + java.util.Arrays.toString(std) + ", mean |x| " + java.util.Arrays.toString(absMean);
    System.out.println(all);
    assertTrue(fit[0] > 0.8, "the model did not learn the patterns: " + all);
    for (int k = 1; k < 3; k++) {
      assertEquals(fit[0], fit[k], 0.1, all);
      assertEquals(std[0], std[k], 0.15 * std[0], all);
      assertEquals(absMean[0], absMean[k], 0.15 * absMean[0], all);
    }
  }

  private static double meanAbs(INDArray x) {
    return org.nd4j.linalg.ops.transforms.Transforms.abs(x).meanNumber().doubleValue();
  }

  @Test
  void guidanceZeroIgnoresTheLabelAndGuidanceAboveOneFollowsIt() {
    int n = 32;
    double unconditional = classFit(sample(n, 3, Map.of("guidance", "0")), labels(n));
    double conditional = classFit(sample(n, 3, Map.of("guidance", "1")), labels(n));
    double guided = classFit(sample(n, 3, Map.of("guidance", "3")), labels(n));
    String all = "class fit at w = 0, 1, 3: " + unconditional + ", " + conditional + ", " + guided;
    System.out.println(all);
    assertTrue(unconditional < conditional - 0.2, all);
    assertTrue(guided > conditional - 0.05, all);
  }

  @Test
  void ddimInversionOfTheTrainedModelRoundTrips() {
    DiffusionSampler sampler = (DiffusionSampler) model.sampler();
    ImageDataset d = data(8);
    INDArray x0 = d.images();
    INDArray xT = sampler.invert(weights, x0, d.labels(), 200);
    INDArray back = sampler.decode(weights, xT, d.labels(), 200);
    double rms = Math.sqrt(back.squaredDistance(x0) / x0.length());
    double scale = x0.norm2Number().doubleValue() / Math.sqrt(x0.length());
    System.out.println("round trip RMS " + rms + " of RMS " + scale);
    assertTrue(rms < 0.05 * scale, "round trip RMS " + rms + " of RMS " + scale);
    assertTrue(xT.stdNumber().doubleValue() > 0.5, "x_T is not noise-like: std " + xT.stdNumber());
  }

  @Test
  void unknownOrInvalidSamplerOptionsAreNamed() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> sample(2, 1, Map.of("stpes", "10")));
    assertTrue(e.getMessage().contains("stpes"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> sample(2, 1, Map.of("sampler", "euler")));
    assertTrue(e.getMessage().contains("euler"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> sample(2, 1, Map.of("sampler", "ddpm", "steps", "10")));
    assertTrue(e.getMessage().contains("ddpm takes all 1000"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> sample(2, 1, Map.of("steps", "1")));
    assertTrue(e.getMessage().contains("[2, 1000]"), e.getMessage());
  }
}
