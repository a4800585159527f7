package io.sparkgen.model.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * FID, KID, precision/recall, SWD and multi-scale SWD on fixed inputs against numpy/scipy ports of
 * pytorch-fid, torch-fidelity, Kynkaanniemi et al.'s code and ProGAN's, to 1e-6 relative. The
 * inputs, the reference's random draws and its values come from
 * src/test/resources/metrics-reference/reference.py (run it there to regenerate them).
 */
class ReferenceValuesTest {

  private static final double RELATIVE = 1e-6;
  private static final String DIR = "/metrics-reference/";

  private static JsonNode reference;
  private static INDArray real;
  private static INDArray fake;

  @BeforeAll
  static void load() throws IOException {
    try (InputStream in = ReferenceValuesTest.class.getResourceAsStream(DIR + "reference.json")) {
      reference = new ObjectMapper().readTree(in);
    }
    real = Npy.read(DIR + "real.npy").array(DataType.FLOAT);
    fake = Npy.read(DIR + "fake.npy").array(DataType.FLOAT);
  }

  private static void assertRelative(double expected, double actual, String what) {
    assertEquals(expected, actual, RELATIVE * Math.abs(expected), what);
  }

  @Test
  void fidEqualsPytorchFid() {
    assertEquals(400, real.size(0));
    double fid = FrechetDistance.between(FeatureMoments.of(real), FeatureMoments.of(fake)).value();
    assertRelative(reference.get("fid").asDouble(), fid, "FID");
  }

  @Test
  void kidEqualsTorchFidelityOnItsSubsets() {
    JsonNode kid = reference.get("kid");
    int[][] realSubsets = Npy.read(DIR + "kid-subsets-real.npy").intRows();
    int[][] fakeSubsets = Npy.read(DIR + "kid-subsets-fake.npy").intRows();
    assertEquals(kid.get("subsets").asInt(), realSubsets.length);
    KernelInceptionDistance.Result r = KernelInceptionDistance.of(real, fake, realSubsets, fakeSubsets);
    assertEquals(kid.get("subsetSize").asInt(), r.subsetSize());
    assertRelative(kid.get("mean").asDouble(), r.mean(), "KID mean");
    assertRelative(kid.get("std").asDouble(), r.std(), "KID std");
  }

  @Test
  void precisionAndRecallEqualKynkaanniemi() {
    JsonNode pr = reference.get("precisionRecall");
    PrecisionRecall.Result r = PrecisionRecall.of(real, fake, pr.get("k").asInt());
    assertEquals(pr.get("precision").asDouble(), r.precision(), 1e-15);
    assertEquals(pr.get("recall").asDouble(), r.recall(), 1e-15);
  }

  @Test
  void swdEqualsProganOnItsDirections() {
    JsonNode swd = reference.get("swd");
    INDArray dirs = Npy.read(DIR + "swd-directions.npy").array(DataType.DOUBLE);
    INDArray[] directions = new INDArray[(int) dirs.size(0)];
    for (int r = 0; r < directions.length; r++) {
      directions[r] = dirs.get(NDArrayIndex.point(r), NDArrayIndex.all(), NDArrayIndex.all()).dup('c');
    }
    INDArray firstReal = real.get(NDArrayIndex.interval(0, swd.get("realRows").asInt()), NDArrayIndex.all());
    assertRelative(swd.get("value").asDouble(), SlicedWasserstein.of(firstReal, fake, directions), "SWD");
  }

  @Test
  void multiScaleSwdEqualsProganOnItsPatchesAndDirections() {
    for (String name : new String[] {"msswd32", "msswd28"}) {
      JsonNode ref = reference.get(name);
      MultiScaleSlicedWasserstein.Result r = multiScale(name, ref, 1.0, 0.0);
      int[] resolutions = new int[ref.get("resolutions").size()];
      for (int l = 0; l < resolutions.length; l++) {
        resolutions[l] = ref.get("resolutions").get(l).asInt();
      }
      assertArrayEquals(resolutions, r.resolutions(), name);
      JsonNode values = ref.get("swdx1e3");
      for (int l = 0; l < resolutions.length; l++) {
        assertRelative(values.get(l).asDouble(), r.perLevel()[l], name + " level " + resolutions[l]);
      }
      assertRelative(values.get(resolutions.length).asDouble(), r.average(), name + " average");
      // Pixels as models read them (p / 127.5 - 1) give the same value: each set is standardised.
      MultiScaleSlicedWasserstein.Result scaled = multiScale(name, ref, 1 / 127.5, -1.0);
      assertRelative(r.average(), scaled.average(), name + " in [-1, 1]");
    }
  }

  private static MultiScaleSlicedWasserstein.Result multiScale(String name, JsonNode ref, double scale, double shift) {
    INDArray realImages = Npy.read(DIR + name + "-real.npy").array(DataType.DOUBLE).muli(scale).addi(shift);
    INDArray fakeImages = Npy.read(DIR + name + "-fake.npy").array(DataType.DOUBLE).muli(scale).addi(shift);
    Npy dirs = Npy.read(DIR + name + "-directions.npy");
    int levels = (int) dirs.shape()[0];
    int repeats = (int) dirs.shape()[1];
    INDArray all = dirs.array(DataType.DOUBLE);
    INDArray[][] directions = new INDArray[levels][repeats];
    for (int l = 0; l < levels; l++) {
      for (int r = 0; r < repeats; r++) {
        directions[l][r] = all.get(NDArrayIndex.point(l), NDArrayIndex.point(r), NDArrayIndex.all(), NDArrayIndex.all())
            .dup('c');
      }
    }
    return MultiScaleSlicedWasserstein.of(realImages, fakeImages, ref.get("minResolution").asInt(),
        ref.get("patchesPerImage").asInt(), centres(DIR + name + "-positions-real.npy"),
        centres(DIR + name + "-positions-fake.npy"), directions);
  }

  /** [levels, N * patches, 2] as [level][patch] = {row, column}. */
  private static int[][][] centres(String resource) {
    Npy npy = Npy.read(resource);
    int levels = (int) npy.shape()[0];
    int patches = (int) npy.shape()[1];
    int[][][] out = new int[levels][patches][2];
    for (int l = 0; l < levels; l++) {
      for (int j = 0; j < patches; j++) {
        out[l][j][0] = (int) npy.values()[(l * patches + j) * 2];
        out[l][j][1] = (int) npy.values()[(l * patches + j) * 2 + 1];
      }
    }
    return out;
  }
}
