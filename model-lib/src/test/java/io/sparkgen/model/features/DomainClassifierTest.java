package io.sparkgen.model.features;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgen.model.ImageShape;
import io.sparkgen.model.optim.AdamConfig;
import io.sparkgen.model.random.Rng;
import io.sparkgen.model.train.ImageDataset;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class DomainClassifierTest {

  private static final ImageShape SHAPE = new ImageShape(1, 8, 8);

  /** Class 0: bright left half; class 1: bright right half; class 2: bright top half; plus noise. */
  static ImageDataset halves(int n, long seed) {
    INDArray x = new Rng(seed).gaussian(DataType.FLOAT, n, 1, 8, 8).muli(0.3);
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = i % 3;
      for (int y = 0; y < 8; y++) {
        for (int c = 0; c < 8; c++) {
          boolean bright = labels[i] == 0 ? c < 4 : labels[i] == 1 ? c >= 4 : y < 4;
          x.putScalar(new long[] {i, 0, y, c}, x.getDouble(i, 0, y, c) + (bright ? 0.7 : -0.7));
        }
      }
    }
    return ImageDataset.of(x, labels);
  }

  private static DomainClassifier.Config tiny() {
    return new DomainClassifier.Config(SHAPE, 3, List.of(8, 16), AdamConfig.of(1e-2, 0.9));
  }

  @Test
  void learnsTheLabelsAndGivesFeaturesAndLogitsOfTheDeclaredSizes() {
    DomainClassifier c = DomainClassifier.create(tiny(), 1L);
    List<DomainClassifier.EpochReport> reports = c.train(halves(300, 1), 3, 32, 7L, done -> {});
    assertTrue(reports.get(2).loss() < reports.get(0).loss(), reports.toString());
    ImageDataset test = halves(90, 2);
    double accuracy = c.accuracy(test.images(), test.labels(), 32);
    assertTrue(accuracy > 0.95, "held-out accuracy " + accuracy);
    FeatureExtractor.Output out = c.apply(test.images());
    assertArrayEquals(new long[] {90, 16}, out.features().shape());
    assertArrayEquals(new long[] {90, 3}, out.logits().shape());
    assertEquals(16, c.dimension());
  }

  @Test
  void savedBytesReadBackToTheSameNetworkAndHash() {
    DomainClassifier c = DomainClassifier.create(tiny(), 1L);
    c.train(halves(64, 1), 1, 32, 7L, done -> {});
    byte[] bytes = c.toBytes(Map.of("testAccuracy", 0.5));
    DomainClassifier back = DomainClassifier.read(bytes, "mem");
    assertEquals(c.hash(), back.hash());
    INDArray x = halves(5, 3).images();
    assertEquals(c.apply(x).features(), back.apply(x).features());
    assertEquals(0.5, DomainClassifier.extra(bytes).path("testAccuracy").asDouble(), 0.0);
    assertNotEquals(c.hash(), DomainClassifier.create(tiny(), 2L).hash(), "other weights, same hash");
  }

  @Test
  void aTamperedOrIncompleteFileIsRefusedByName() throws Exception {
    byte[] bytes = DomainClassifier.create(tiny(), 1L).toBytes(Map.of());
    byte[] tampered = rewrite(bytes, "arrays/logits/b.npy", Nd4j.toNpyByteArray(Nd4j.ones(DataType.FLOAT, 1, 3)));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DomainClassifier.read(tampered, "t.zip"));
    assertTrue(e.getMessage().contains("t.zip") && e.getMessage().contains("hash"), e.getMessage());
    byte[] missing = rewrite(bytes, "arrays/logits/b.npy", null);
    e = assertThrows(IllegalArgumentException.class, () -> DomainClassifier.read(missing, "m.zip"));
    assertTrue(e.getMessage().contains("logits/b") && e.getMessage().contains("missing"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> DomainClassifier.create(tiny(), 1L).apply(Nd4j.zeros(DataType.FLOAT, 2, 3, 8, 8)));
    assertTrue(e.getMessage().contains("1x8x8"), e.getMessage());
  }

  private static byte[] rewrite(byte[] zipBytes, String entry, byte[] replacement) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipInputStream in = new ZipInputStream(new java.io.ByteArrayInputStream(zipBytes));
        ZipOutputStream zip = new ZipOutputStream(out)) {
      for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        byte[] b = in.readAllBytes();
        if (e.getName().equals(entry)) {
          if (replacement == null) {
            continue;
          }
          b = replacement;
        }
        zip.putNextEntry(new ZipEntry(e.getName()));
        zip.write(b);
        zip.closeEntry();
      }
    }
    return out.toByteArray();
  }
}
