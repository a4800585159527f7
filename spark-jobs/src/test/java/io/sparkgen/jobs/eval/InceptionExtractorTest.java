package io.sparkgen.jobs.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgen.jobs.image.ImageBlock;
import io.sparkgen.jobs.image.NpyWriter;
import io.sparkgen.jobs.image.RawImage;
import io.sparkgen.jobs.testing.Fixtures;
import io.sparkgen.jobs.testing.TestSpark;
import io.sparkgen.model.features.FeatureExtractor;
import io.sparkgen.model.features.FidInceptionV3;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/** {@code sparkgen features} with the FID Inception-v3 (random weights): the executors compute what model-lib does. */
class InceptionExtractorTest {

  @TempDir Path tmp;

  @Test
  void featuresOnTheExecutorsEqualModelLibsAndLogitsComeBeside() throws Exception {
    Path weights = Fixtures.inceptionWeights(tmp.resolve("pt_inception.npz"), 7L);
    Path npy = tmp.resolve("images.npy");
    List<RawImage> images = new ArrayList<>();
    try (var out = Files.newOutputStream(npy)) {
      NpyWriter.header(out, "|u1", 3, 12, 10, 3);
      for (int i = 0; i < 3; i++) {
        RawImage image = Fixtures.image(i, 12, 10, 3);
        images.add(image);
        out.write(image.pixels());
      }
    }
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(TestSpark.session().sparkContext());
    INDArray features = FeaturesCommand.run(sc, new FeaturesConfig(npy.toString(), "test", 0, weights.toString(),
        "inception", tmp.resolve("out/features.npy").toString(), 2, 2));
    assertArrayEquals(new long[] {3, 2048}, features.shape());

    FidInceptionV3 local = FidInceptionV3.read(weights);
    FeatureExtractor.Output expected = local.apply(new ImageBlock(0, images, null).toModelInput());
    assertClose(expected.features(), features, "features");
    INDArray logits = FeatureFiles.read(tmp.resolve("out/features-logits.npy").toString(),
        new org.apache.hadoop.conf.Configuration());
    assertArrayEquals(new long[] {3, 1008}, logits.shape());
    assertClose(expected.logits(), logits, "logits");

    Extractor loaded = Extractor.load(sc, "inception", weights.toString());
    assertEquals("inception-v3", loaded.id());
    assertEquals(local.hash(), loaded.hash());
    assertEquals("rgb,bilinear-299,range[-1,1]", loaded.protocol());
    assertEquals(2048, loaded.dimension());
  }

  @Test
  void kindsAreCheckedAndAMissingWeightsFileSaysHowToMakeOne() {
    var bad = assertThrows(IllegalArgumentException.class, () -> new FeaturesConfig("in", "test", 0, "w.npz", "clip",
        "out.npy", 2, 0));
    assertTrue(bad.getMessage().contains("clip") && bad.getMessage().contains("domain or inception"), bad.getMessage());
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(TestSpark.session().sparkContext());
    var missing = assertThrows(IllegalArgumentException.class,
        () -> Extractor.load(sc, "inception", tmp.resolve("none.npz").toString()));
    assertTrue(missing.getMessage().contains("none.npz") && missing.getMessage().contains("docs/inception.md"),
        missing.getMessage());
  }

  private static void assertClose(INDArray expected, INDArray actual, String what) {
    assertArrayEquals(expected.shape(), actual.shape(), what);
    double worst = org.nd4j.linalg.ops.transforms.Transforms.abs(expected.castTo(actual.dataType()).sub(actual))
        .maxNumber().doubleValue();
    assertTrue(worst <= 1e-5, what + ": largest difference " + worst);
  }
}
