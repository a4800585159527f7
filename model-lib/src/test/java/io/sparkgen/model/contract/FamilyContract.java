package io.sparkgen.model.contract;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkgen.model.Families;
import io.sparkgen.model.Family;
import io.sparkgen.model.GenerativeModel;
import io.sparkgen.model.ImageShape;
import io.sparkgen.model.ModelConfig;
import io.sparkgen.model.SampleRequest;
import io.sparkgen.model.StepReport;
import io.sparkgen.model.checkpoint.Checkpoint;
import io.sparkgen.model.checkpoint.CheckpointMismatchException;
import io.sparkgen.model.config.Configs;
import io.sparkgen.model.params.NamedArrays;
import io.sparkgen.model.random.Rng;
import io.sparkgen.model.train.ImageDataset;
import io.sparkgen.model.train.LocalTrainer;
import io.sparkgen.model.train.TrainConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * What every family must satisfy, whatever it is: a test class per family (and per notable
 * config) extends this and supplies a tiny config. Only the public, family-agnostic API is used.
 */
public abstract class FamilyContract {

  protected static final long SEED = 20240601L;

  /** The family under test. */
  protected abstract Family<?> family();

  /** A tiny config of that family (sizes a test can train in seconds). */
  protected abstract ModelConfig tinyConfig();

  /** A config whose parameter shapes differ from {@link #tinyConfig()}. */
  protected abstract ModelConfig otherArchitecture();

  /**
   * A number that must fall when overfitting a handful of images, measured after the given
   * steps; by default the mean of a step metric over the last three steps.
   */
  protected double overfitScore(LocalTrainer trainer, List<StepReport> reports) {
    return reports.subList(reports.size() - 3, reports.size()).stream()
        .mapToDouble(r -> r.get(overfitMetric()))
        .average()
        .orElseThrow();
  }

  /** The step metric {@link #overfitScore} averages by default. */
  protected String overfitMetric() {
    throw new UnsupportedOperationException("override overfitMetric() or overfitScore()");
  }

  /** The relative drop of {@link #overfitScore} the overfitting test demands. */
  protected double minimumOverfitDrop() {
    return 0.2;
  }

  /** Steps of the overfitting test. */
  protected int overfitSteps() {
    return 40;
  }

  protected TrainConfig trainConfig() {
    return new TrainConfig(SEED, 4, 1_000L, 20.0);
  }

  protected GenerativeModel create(long seed) {
    return family().createFrom(tinyConfig(), seed);
  }

  /** n smooth, distinct images in [-1, 1] (tanh of sums of sinusoids), labels i mod classes. */
  protected ImageDataset data(int n) {
    ImageShape s = tinyConfig().image();
    INDArray images = org.nd4j.linalg.factory.Nd4j.create(DataType.FLOAT, s.batchShape(n));
    Rng rng = new Rng(99);
    for (int i = 0; i < n; i++) {
      double fx = 1 + rng.nextDouble() * 2;
      double fy = 1 + rng.nextDouble() * 2;
      double phase = rng.nextDouble() * 6;
      for (int c = 0; c < s.channels(); c++) {
        for (int y = 0; y < s.height(); y++) {
          for (int x = 0; x < s.width(); x++) {
            double v = Math.sin(fx * x / s.width() * Math.PI * 2 + phase + c) * Math.cos(fy * y / s.height() * Math.PI * 2);
            images.putScalar(new long[] {i, c, y, x}, Math.tanh(2 * v));
          }
        }
      }
    }
    int[] labels = null;
    if (tinyConfig().numClasses() > 0) {
      labels = new int[n];
      for (int i = 0; i < n; i++) {
        labels[i] = i % tinyConfig().numClasses();
      }
    }
    return ImageDataset.of(images, labels);
  }

  protected SampleRequest request(long first, int count) {
    int[] labels = null;
    if (tinyConfig().numClasses() > 0) {
      labels = new int[count];
      for (int i = 0; i < count; i++) {
        labels[i] = (int) ((first + i) % tinyConfig().numClasses());
      }
    }
    return new SampleRequest(77L, first, count, labels);
  }

  @Test
  void samplesHaveTheImageShapeAndLieInMinusOneToOne() {
    GenerativeModel model = create(SEED);
    INDArray x = model.sampler().sample(model.network().parameters(), request(0, 3));
    assertArrayEquals(tinyConfig().image().batchShape(3), x.shape());
    assertTrue(x.minNumber().doubleValue() >= -1.0, "min " + x.minNumber());
    assertTrue(x.maxNumber().doubleValue() <= 1.0, "max " + x.maxNumber());
    assertTrue(x.stdNumber().doubleValue() > 0, "samples are constant");
  }

  @Test
  void sameSeedGivesIdenticalParametersAndSamplesAndAnotherSeedDoesNot() {
    GenerativeModel a = create(SEED);
    GenerativeModel b = create(SEED);
    GenerativeModel c = create(SEED + 1);
    assertTrue(a.network().parameters().sameValues(b.network().parameters()));
    assertFalse(a.network().parameters().sameValues(c.network().parameters()));
    assertEquals(
        a.sampler().sample(a.network().parameters(), request(0, 4)),
        b.sampler().sample(b.network().parameters(), request(0, 4)));
  }

  @Test
  void imageIDependsOnlyOnItsIndexNotOnHowTheWorkIsSplit() {
    GenerativeModel model = create(SEED);
    NamedArrays w = model.network().parameters();
    INDArray all = model.sampler().sample(w, request(0, 5));
    INDArray tail = model.sampler().sample(w, request(3, 2));
    INDArray expected = all.get(NDArrayIndex.interval(3, 5), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all());
    assertTrue(expected.equalsWithEps(tail, 1e-5), "split sampling differs");
  }

  @Test
  void trainingIsDeterministicGivenTheSeed() {
    LocalTrainer a = new LocalTrainer(create(SEED), trainConfig(), data(6));
    LocalTrainer b = new LocalTrainer(create(SEED), trainConfig(), data(6));
    for (int i = 0; i < 3; i++) {
      assertEquals(a.step().metrics(), b.step().metrics());
    }
    assertTrue(a.state().sameValues(b.state()));
    assertFalse(a.state().group("param").sameValues(create(SEED).network().parameters()), "training changed nothing");
  }

  @Test
  void checkpointRestoresIdenticalSamplesAndTheIdenticalNextStep(@TempDir Path dir) {
    ImageDataset data = data(6);
    LocalTrainer original = new LocalTrainer(create(SEED), trainConfig(), data);
    for (int i = 0; i < 3; i++) {
      original.step();
    }
    Path file = dir.resolve("ckpt.zip");
    Checkpoint.save(original, file);
    LocalTrainer resumed = Checkpoint.read(file).resume(data);

    assertEquals(original.stepCount(), resumed.stepCount());
    assertTrue(original.state().sameValues(resumed.state()));
    assertEquals(
        original.model().sampler().sample(original.ema(), request(0, 3)),
        resumed.model().sampler().sample(resumed.ema(), request(0, 3)));
    StepReport next = original.step();
    assertEquals(next.metrics(), resumed.step().metrics());
    assertTrue(original.state().sameValues(resumed.state()), "the step after restore is not bit-exact");
    try (var files = Files.list(dir)) {
      assertEquals(List.of(file), files.toList(), "temporary files were left behind");
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void checkpointBytesGiveTheSamplingModelAndItsEmaWeights() {
    LocalTrainer trainer = new LocalTrainer(create(SEED), trainConfig(), data(6));
    for (int i = 0; i < 2; i++) {
      trainer.step();
    }
    Checkpoint read = Checkpoint.read(new java.io.ByteArrayInputStream(Checkpoint.toBytes(trainer)), "in-memory");
    GenerativeModel model = read.model();
    assertTrue(model.network().parameters().sameValues(trainer.model().network().parameters()));
    assertTrue(model.network().buffers().sameValues(trainer.model().network().buffers()));
    assertEquals(
        trainer.model().sampler().sample(trainer.ema(), request(0, 3)),
        model.sampler().sample(read.ema(), request(0, 3)));
  }

  @Test
  void checkpointOfAnotherArchitectureIsRefusedByName(@TempDir Path dir) {
    ImageDataset data = data(4);
    Path file = dir.resolve("ckpt.zip");
    Checkpoint.save(new LocalTrainer(create(SEED), trainConfig(), data), file);
    GenerativeModel other = family().createFrom(otherArchitecture(), SEED);
    LocalTrainer target = new LocalTrainer(other, trainConfig(), dataFor(otherArchitecture(), 4));
    CheckpointMismatchException e =
        assertThrows(CheckpointMismatchException.class, () -> Checkpoint.read(file).restoreInto(target));
    assertTrue(e.getMessage().contains("architecture"), e.getMessage());
  }

  @Test
  void checkpointOfAnotherFormatVersionIsRefused(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("ckpt.zip");
    Checkpoint.save(new LocalTrainer(create(SEED), trainConfig(), data(4)), file);
    Path edited = dir.resolve("edited.zip");
    try (ZipInputStream in = new ZipInputStream(Files.newInputStream(file));
        ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(edited))) {
      for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        byte[] bytes = in.readAllBytes();
        if (e.getName().equals("metadata.json")) {
          ObjectNode meta = (ObjectNode) Configs.MAPPER.readTree(bytes);
          meta.put("formatVersion", Checkpoint.FORMAT_VERSION + 1);
          bytes = Configs.MAPPER.writeValueAsBytes(meta);
        }
        out.putNextEntry(new ZipEntry(e.getName()));
        out.write(bytes);
        out.closeEntry();
      }
    }
    CheckpointMismatchException e = assertThrows(CheckpointMismatchException.class, () -> Checkpoint.read(edited));
    assertTrue(e.getMessage().contains("format version " + (Checkpoint.FORMAT_VERSION + 1)), e.getMessage());
  }

  @Test
  void stateExportsToFlatFloatsByNameAndImportsBack() {
    LocalTrainer trained = new LocalTrainer(create(SEED), trainConfig(), data(4));
    trained.step();
    LocalTrainer fresh = new LocalTrainer(create(SEED + 5), trainConfig(), data(4));
    fresh.state().assignFloats(trained.state().toFloats());
    assertTrue(fresh.state().sameValues(trained.state()));
    assertTrue(trained.state().names().stream().anyMatch(n -> n.startsWith("optimizer/")), "no optimizer state");
    LocalTrainer flat = new LocalTrainer(create(SEED + 6), trainConfig(), data(4));
    flat.state().assignFlat(trained.state().flatten());
    assertEquals(
        trained.model().sampler().sample(trained.ema(), request(0, 2)),
        flat.model().sampler().sample(flat.ema(), request(0, 2)));
  }

  @Test
  void lossFallsWhenOverfittingAHandfulOfImages() {
    LocalTrainer trainer = new LocalTrainer(create(SEED), trainConfig(), data(4));
    List<StepReport> reports = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      reports.add(trainer.step());
    }
    double first = overfitScore(trainer, reports);
    for (int i = 3; i < overfitSteps(); i++) {
      reports.add(trainer.step());
    }
    double last = overfitScore(trainer, reports);
    assertTrue(last < (1 - minimumOverfitDrop()) * first, "score did not fall enough: " + first + " -> " + last);
  }

  @Test
  void configRoundTripsThroughJsonAndRejectsUnknownKeys() {
    ModelConfig config = tinyConfig();
    String json = Configs.toJson(config);
    assertEquals(config, family().readConfig(Configs.MAPPER.valueToTree(config)));
    assertEquals(family().defaultConfig(), family().readConfig(Configs.MAPPER.createObjectNode()));
    ObjectNode partial = Configs.MAPPER.createObjectNode();
    partial.put("numClasses", 3);
    assertEquals(3, family().readConfig(partial).numClasses());
    ObjectNode unknown = (ObjectNode) Configs.toTree(config);
    unknown.put("learningRat", 0.1);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> family().readConfig(unknown));
    assertTrue(e.getMessage().contains("learningRat"), e.getMessage());
    assertEquals(family().getClass(), Families.byId(family().id()).getClass());
    assertFalse(json.isEmpty());
  }

  @Test
  void defaultConfigBuildsTheReferenceModel() {
    GenerativeModel model = family().createFrom(family().defaultConfig(), SEED);
    assertEquals(expectedDefaultParameterCount(), model.network().parameters().length());
  }

  /** Parameter count of the published reference model (checked against Keras' model.summary()). */
  protected abstract long expectedDefaultParameterCount();

  private ImageDataset dataFor(ModelConfig config, int n) {
    ImageShape s = config.image();
    INDArray images = new Rng(1).uniform(DataType.FLOAT, -1, 1, s.batchShape(n));
    int[] labels = config.numClasses() > 0 ? new int[n] : null;
    return ImageDataset.of(images, labels);
  }
}
