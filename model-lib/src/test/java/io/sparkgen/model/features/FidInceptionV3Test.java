package io.sparkgen.model.features;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * FidInceptionV3 against {@code src/test/resources/inception/reference.py}, an independent numpy
 * implementation of pytorch-fid's network on the same deterministic random weights.
 */
class FidInceptionV3Test {

  /** The seed reference.py uses. */
  static final long SEED = 20260505L;
  private static Map<String, Npz.Array> weights;

  static synchronized Map<String, Npz.Array> weights() {
    if (weights == null) {
      weights = FidInceptionV3.randomWeights(SEED);
    }
    return weights;
  }

  /** reference.py's test_image: exact float32 values in [-1, 1]. */
  static INDArray testImage(int n, int c, int h, int w) {
    float[] v = new float[n * c * h * w];
    int at = 0;
    for (int i = 0; i < n; i++) {
      for (int ch = 0; ch < c; ch++) {
        for (int y = 0; y < h; y++) {
          for (int x = 0; x < w; x++) {
            v[at++] = (float) (((3 * y + 5 * x + 7 * ch + 11 * i + (y * x) / 4) % 32) / 15.5 - 1.0);
          }
        }
      }
    }
    return Nd4j.create(v, new long[] {n, c, h, w}, 'c');
  }

  static float[] resource(String name) throws IOException {
    try (InputStream in = FidInceptionV3Test.class.getResourceAsStream("/inception/" + name)) {
      return Npz.parseNpy(in.readAllBytes(), name, name).data();
    }
  }

  @Test
  void featuresAndLogitsMatchTheNumpyReferenceTo1e4() throws IOException {
    FidInceptionV3 net = FidInceptionV3.of(weights(), "random");
    FeatureExtractor.Output grey = net.apply(testImage(2, 1, 28, 28));
    FeatureExtractor.Output rgb = net.apply(testImage(1, 3, 32, 32));
    assertArrayEquals(new long[] {2, 2048}, grey.features().shape());
    assertArrayEquals(new long[] {2, 1008}, grey.logits().shape());
    float[] features = Nd4j.concat(0, grey.features(), rgb.features()).data().asFloat();
    float[] logits = Nd4j.concat(0, grey.logits(), rgb.logits()).data().asFloat();
    assertClose(resource("features.npy"), features, 1e-4, "features");
    assertClose(resource("logits.npy"), logits, 1e-4, "logits");
  }

  @Test
  void batchingAndChunkingDoNotChangeAnImagesFeatures() {
    FidInceptionV3 net = FidInceptionV3.of(weights(), "random");
    INDArray two = testImage(2, 3, 20, 24);
    FeatureExtractor.Output both = net.apply(two);
    FeatureExtractor.Output second = net.apply(two.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 2)));
    assertClose(both.features().getRow(1).dup().data().asFloat(), second.features().data().asFloat(), 1e-5, "alone");
    FeatureExtractor.Output chunked = net.withChunk(1).apply(two);
    assertClose(both.features().data().asFloat(), chunked.features().data().asFloat(), 1e-5, "chunks of 1");
    assertClose(both.logits().data().asFloat(), chunked.logits().data().asFloat(), 1e-5, "chunks of 1");
    assertEquals(net.hash(), net.withChunk(1).hash());
  }

  @Test
  void bilinearResizeMatchesTorchsAlignCornersFalse() throws IOException {
    FidInceptionV3 net = FidInceptionV3.of(weights(), "random");
    float[] expected = resource("resize.npy");
    int[][] cases = {{5, 7, 11, 3}, {4, 4, 9, 9}, {13, 6, 5, 17}, {28, 28, 299, 299}};
    int at = 0;
    for (int[] c : cases) {
      INDArray r = net.resize(testImage(1, 1, c[0], c[1]), c[2], c[3]);
      assertArrayEquals(new long[] {1, 1, c[2], c[3]}, r.shape());
      if (c[2] > 20) {
        r = r.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.all(),
            org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 7), org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 7));
      }
      float[] got = r.dup('c').data().asFloat();
      float[] want = java.util.Arrays.copyOfRange(expected, at, at + got.length);
      assertClose(want, got, 1e-6, "resize " + java.util.Arrays.toString(c));
      at += got.length;
    }
    assertEquals(expected.length, at);
    // Same size is the identity, as in torch.
    INDArray x = testImage(2, 3, 6, 5);
    assertClose(x.data().asFloat(), net.resize(x, 6, 5).data().asFloat(), 0, "identity");
  }

  @Test
  void readsAnNpzAsNumpyWritesItIgnoringIntegerBuffers() throws IOException {
    Map<String, Npz.Array> w = weights();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      for (Map.Entry<String, Npz.Array> e : w.entrySet()) {
        zip.putNextEntry(new ZipEntry(e.getKey() + ".npy"));
        zip.write(Npz.toNpy(e.getValue()));
        zip.closeEntry();
        if (e.getKey().endsWith("running_var")) { // torch's state_dict has these; np.savez writes them as <i8 scalars
          zip.putNextEntry(new ZipEntry(e.getKey().replace("running_var", "num_batches_tracked") + ".npy"));
          zip.write(int64Scalar(0));
          zip.closeEntry();
        }
      }
    }
    FidInceptionV3 fromFile = FidInceptionV3.read(bytes.toByteArray(), "pt_inception.npz");
    assertEquals(FidInceptionV3.of(w, "map").hash(), fromFile.hash());
    assertEquals("inception-v3", fromFile.id());
    assertEquals(2048, fromFile.dimension());
    assertTrue(fromFile.hasLogits());
    assertEquals("rgb,bilinear-299,range[-1,1]", fromFile.protocol());
  }

  @Test
  void aMissingWeightIsNamedWithTheFile() {
    Map<String, Npz.Array> w = new LinkedHashMap<>(weights());
    w.remove("Mixed_6c.branch7x7dbl_3.bn.running_mean");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FidInceptionV3.of(w, "my.npz"));
    assertTrue(e.getMessage().contains("my.npz") && e.getMessage().contains("Mixed_6c.branch7x7dbl_3.bn.running_mean")
        && e.getMessage().contains("missing"), e.getMessage());
  }

  @Test
  void aFileThatIsNoNpzOrHasOtherNamesIsRefusedClearly() {
    var notZip = assertThrows(IllegalArgumentException.class,
        () -> FidInceptionV3.read("not a zip".getBytes(StandardCharsets.UTF_8), "w.pth"));
    assertTrue(notZip.getMessage().startsWith("w.pth: no .npy arrays found"), notZip.getMessage());
    byte[] tfNames = Npz.write(Map.of("InceptionV3/Conv2d_1a_3x3/weights", new Npz.Array(new long[] {1}, new float[1])));
    var other = assertThrows(IllegalArgumentException.class, () -> FidInceptionV3.read(tfNames, "tf.npz"));
    assertTrue(other.getMessage().startsWith("tf.npz: weight Conv2d_1a_3x3.conv.weight is missing"), other.getMessage());
  }

  @Test
  void aMisshapenWeightIsNamedWithBothShapes() {
    Map<String, Npz.Array> w = new LinkedHashMap<>(weights());
    w.put("fc.weight", new Npz.Array(new long[] {1000, 2048}, new float[1000 * 2048])); // torchvision's 1000 classes
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FidInceptionV3.of(w, "tv.npz"));
    assertEquals("tv.npz: weight fc.weight has shape [1000, 2048], expected [1008, 2048]", e.getMessage());
  }

  @Test
  void aWrongDtypeIsNamedWithTheKey() {
    byte[] npy = Npz.toNpy(new Npz.Array(new long[] {2}, new float[] {1, 2}));
    String text = new String(npy, StandardCharsets.ISO_8859_1).replace("<f4", "<f2");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Npz.parseNpy(text.getBytes(StandardCharsets.ISO_8859_1), "w.npz", "fc.bias"));
    assertEquals("w.npz: array fc.bias has dtype <f2; expected little-endian float32 (<f4)", e.getMessage());
  }

  @Test
  void npyRoundTripsAndReadsFloat64() {
    Npz.Array a = new Npz.Array(new long[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6.5f});
    Map<String, Npz.Array> back = Npz.read(Npz.write(Map.of("a.b", a)), "t.npz", null);
    assertArrayEquals(a.shape(), back.get("a.b").shape());
    assertArrayEquals(a.data(), back.get("a.b").data());
    ByteBuffer f8 = ByteBuffer.allocate(128 + 16).order(ByteOrder.LITTLE_ENDIAN);
    String dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }";
    f8.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) 118);
    f8.put((dict + " ".repeat(118 - dict.length() - 1) + "\n").getBytes(StandardCharsets.ISO_8859_1));
    f8.putDouble(0.25).putDouble(-3.0);
    assertArrayEquals(new float[] {0.25f, -3f}, Npz.parseNpy(f8.array(), "f.npz", "x").data());
  }

  @Test
  void theHashIsStableAndChangesWithOneWeight() {
    String hash = FidInceptionV3.of(weights(), "a").hash();
    assertEquals(hash, FidInceptionV3.of(FidInceptionV3.randomWeights(SEED), "b").hash());
    assertEquals(64, hash.length());
    Map<String, Npz.Array> w = new LinkedHashMap<>(weights());
    Npz.Array bias = w.get("Mixed_7c.branch_pool.bn.bias");
    float[] changed = bias.data().clone();
    changed[5] = Math.nextUp(changed[5]);
    w.put("Mixed_7c.branch_pool.bn.bias", new Npz.Array(bias.shape(), changed));
    assertNotEquals(hash, FidInceptionV3.of(w, "c").hash());
    assertNotEquals(hash, FidInceptionV3.of(FidInceptionV3.randomWeights(SEED + 1), "d").hash());
  }

  @Test
  void countsTheMultiplyAddsOfInceptionV3() {
    // torchvision's Inception3 is quoted at 5.71 GMACs (its 1000-class fc differs by 16k).
    assertEquals(5.71e9, FidInceptionV3.multiplyAddsPerImage(), 0.01e9);
    assertEquals(94, FidInceptionV3.LAYERS.size());
    assertEquals(94 * 5 + 2, FidInceptionV3.weightShapes().size());
  }

  @Test
  void refusesImagesThatAreNotOneOrThreeChannels() {
    FidInceptionV3 net = FidInceptionV3.of(weights(), "random");
    assertThrows(IllegalArgumentException.class, () -> net.apply(Nd4j.zeros(1, 2, 8, 8)));
    assertThrows(IllegalArgumentException.class, () -> net.apply(Nd4j.zeros(2, 8, 8)));
  }

  private static byte[] int64Scalar(long v) {
    String dict = "{'descr': '<i8', 'fortran_order': False, 'shape': (), }";
    String header = dict + " ".repeat(128 - 10 - dict.length() - 1) + "\n";
    ByteBuffer b = ByteBuffer.allocate(10 + header.length() + 8).order(ByteOrder.LITTLE_ENDIAN);
    b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) header.length());
    b.put(header.getBytes(StandardCharsets.ISO_8859_1)).putLong(v);
    return b.array();
  }

  static void assertClose(float[] expected, float[] actual, double tolerance, String what) {
    assertEquals(expected.length, actual.length, what + " length");
    double worst = 0;
    int at = -1;
    for (int i = 0; i < expected.length; i++) {
      double d = Math.abs(expected[i] - actual[i]);
      if (d > worst || Double.isNaN(d)) {
        worst = Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
        at = i;
      }
    }
    assertTrue(worst <= tolerance, what + ": largest difference " + worst + " at " + at + " (expected "
        + (at < 0 ? "" : expected[at] + ", got " + actual[at]) + ")");
  }
}
