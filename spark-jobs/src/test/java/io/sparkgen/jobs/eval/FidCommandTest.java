package io.sparkgen.jobs.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgen.jobs.testing.Cli;
import io.sparkgen.model.metrics.FeatureMoments;
import io.sparkgen.model.metrics.FrechetDistance;
import io.sparkgen.model.metrics.SlicedWasserstein;
import io.sparkgen.model.random.Rng;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** sparkgen fid over feature .npy files: the numbers of the metric classes, and clear errors. */
class FidCommandTest {

  @TempDir Path tmp;

  private Path npy(String name, INDArray a) throws Exception {
    Path file = tmp.resolve(name);
    Files.write(file, Nd4j.toNpyByteArray(a));
    return file;
  }

  @Test
  void printsTheMetricsOfTheTwoFeatureFiles() throws Exception {
    INDArray real = new Rng(1L).gaussian(DataType.FLOAT, 200, 8);
    INDArray fake = new Rng(2L).gaussian(DataType.FLOAT, 150, 8).muli(1.3).addi(0.2);
    Object[] r = Cli.run("fid", "--real", npy("real.npy", real).toString(), "--fake", npy("fake.npy", fake).toString(),
        "--set", "fid.kid-subsets=10");
    assertEquals(0, r[0], (String) r[2]);
    double expected = FrechetDistance.between(FeatureMoments.of(real), FeatureMoments.of(fake)).value();
    assertTrue(((String) r[1]).contains(String.format(Locale.ROOT, "fid %.6f", expected)), (String) r[1]);
    assertTrue(((String) r[1]).contains("kid ") && ((String) r[1]).contains("(10 subsets of 150, seed 20261122)"),
        (String) r[1]);
    assertTrue(((String) r[1]).contains("precision ") && ((String) r[1]).contains("recall "), (String) r[1]);
    double swd = SlicedWasserstein.of(real, fake, 4, 128, 20261122L);
    assertTrue(((String) r[1]).contains(String.format(Locale.ROOT, "swd %.6f", swd)), (String) r[1]);
  }

  @Test
  void mismatchedDimensionsNaNsAndMissingFilesAreNamed() throws Exception {
    Path eight = npy("eight.npy", Nd4j.rand(DataType.FLOAT, 20, 8));
    Path four = npy("four.npy", Nd4j.rand(DataType.FLOAT, 20, 4));
    Object[] dims = Cli.run("fid", "--real", eight.toString(), "--fake", four.toString());
    assertEquals(2, dims[0]);
    assertTrue(((String) dims[2]).contains("feature dimensions differ: " + eight + " has 8, " + four + " has 4"),
        (String) dims[2]);
    INDArray nan = Nd4j.rand(DataType.FLOAT, 20, 8);
    nan.putScalar(13, 2, Float.NaN);
    Object[] bad = Cli.run("fid", "--real", eight.toString(), "--fake", npy("nan.npy", nan).toString());
    assertEquals(2, bad[0]);
    assertTrue(((String) bad[2]).contains("feature row 13") && ((String) bad[2]).contains("NaN at index 2"),
        (String) bad[2]);
    Object[] missing = Cli.run("fid", "--real", tmp.resolve("nope.npy").toString(), "--fake", eight.toString());
    assertEquals(3, missing[0]);
    assertTrue(((String) missing[2]).contains("feature file " + tmp.resolve("nope.npy") + " does not exist"),
        (String) missing[2]);
  }
}
