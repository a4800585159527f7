package io.sparkgen.model.features;

import io.sparkgen.model.provenance.Hashes;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Pooling2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The Inception-v3 that FID is defined with (Heusel et al. 2017; TensorFlow's 2015-12-05 graph), as
 * pytorch-fid's {@code fid_inception_v3()} ports it: torchvision's Inception3 with the FIDInceptionA/C
 * blocks and FIDInceptionE_1/E_2 (average pooling that ignores padding, as TensorFlow's; max pooling
 * in the last block), each convolution without bias followed by inference BatchNorm (eps 1e-3, folded
 * into the convolution here) and ReLU. Features are the 2048-d pool3 (global average) output; logits
 * the 1008-class {@code fc} layer on them (for the Inception Score). Images are prepared as
 * pytorch-fid prepares them: grey repeated to RGB, bilinear resize to 299x299 with
 * {@code align_corners=False}, values in [-1, 1]. Weights come from an {@code .npz} whose keys are the
 * module's {@code state_dict()} names. Inference only, with ND4J's convolution ops; immutable after
 * loading, so one instance may serve several threads.
 */
public final class FidInceptionV3 implements FeatureExtractor {

  public static final String ID = "inception-v3";
  public static final int SIZE = 299;
  public static final int DIMENSION = 2048;
  public static final int CLASSES = 1008;
  static final double BN_EPSILON = 1e-3;
  /** Enters the hash: a change of the computation must change this text. */
  static final String ARCHITECTURE = "pytorch-fid FIDInceptionV3 v1: BasicConv2d=conv(no bias)+BN(eps=1e-3)+ReLU, "
      + "FIDInceptionA/C avg_pool(count_include_pad=False), E_1 avg, E_2 max, pool3=2048, fc=1008";
  static final String PROTOCOL = "rgb,bilinear-299,range[-1,1]";
  static final int DEFAULT_CHUNK = 8;

  /** One BasicConv2d: state_dict prefix, channels, kernel, stride, padding. */
  record Conv(String name, int in, int out, int kh, int kw, int sh, int sw, int ph, int pw) {
    static Conv of(String name, int in, int out, int k) {
      return new Conv(name, in, out, k, k, 1, 1, 0, 0);
    }

    static Conv padded(String name, int in, int out, int kh, int kw) {
      return new Conv(name, in, out, kh, kw, 1, 1, kh / 2, kw / 2);
    }

    static Conv strided(String name, int in, int out, int k) {
      return new Conv(name, in, out, k, k, 2, 2, 0, 0);
    }
  }

  /** Every BasicConv2d in the order the network runs them: the canonical key order. */
  static final List<Conv> LAYERS = layers();

  private static List<Conv> layers() {
    List<Conv> l = new ArrayList<>();
    l.add(Conv.strided("Conv2d_1a_3x3", 3, 32, 3));
    l.add(Conv.of("Conv2d_2a_3x3", 32, 32, 3));
    l.add(Conv.padded("Conv2d_2b_3x3", 32, 64, 3, 3));
    l.add(Conv.of("Conv2d_3b_1x1", 64, 80, 1));
    l.add(Conv.of("Conv2d_4a_3x3", 80, 192, 3));
    blockA(l, "Mixed_5b", 192, 32);
    blockA(l, "Mixed_5c", 256, 64);
    blockA(l, "Mixed_5d", 288, 64);
    l.add(Conv.strided("Mixed_6a.branch3x3", 288, 384, 3));
    l.add(Conv.of("Mixed_6a.branch3x3dbl_1", 288, 64, 1));
    l.add(Conv.padded("Mixed_6a.branch3x3dbl_2", 64, 96, 3, 3));
    l.add(Conv.strided("Mixed_6a.branch3x3dbl_3", 96, 96, 3));
    blockC(l, "Mixed_6b", 128);
    blockC(l, "Mixed_6c", 160);
    blockC(l, "Mixed_6d", 160);
    blockC(l, "Mixed_6e", 192);
    l.add(Conv.of("Mixed_7a.branch3x3_1", 768, 192, 1));
    l.add(Conv.strided("Mixed_7a.branch3x3_2", 192, 320, 3));
    l.add(Conv.of("Mixed_7a.branch7x7x3_1", 768, 192, 1));
    l.add(Conv.padded("Mixed_7a.branch7x7x3_2", 192, 192, 1, 7));
    l.add(Conv.padded("Mixed_7a.branch7x7x3_3", 192, 192, 7, 1));
    l.add(Conv.strided("Mixed_7a.branch7x7x3_4", 192, 192, 3));
    blockE(l, "Mixed_7b", 1280);
    blockE(l, "Mixed_7c", 2048);
    return List.copyOf(l);
  }

  private static void blockA(List<Conv> l, String p, int in, int pool) {
    l.add(Conv.of(p + ".branch1x1", in, 64, 1));
    l.add(Conv.of(p + ".branch5x5_1", in, 48, 1));
    l.add(Conv.padded(p + ".branch5x5_2", 48, 64, 5, 5));
    l.add(Conv.of(p + ".branch3x3dbl_1", in, 64, 1));
    l.add(Conv.padded(p + ".branch3x3dbl_2", 64, 96, 3, 3));
    l.add(Conv.padded(p + ".branch3x3dbl_3", 96, 96, 3, 3));
    l.add(Conv.of(p + ".branch_pool", in, pool, 1));
  }

  private static void blockC(List<Conv> l, String p, int c7) {
    l.add(Conv.of(p + ".branch1x1", 768, 192, 1));
    l.add(Conv.of(p + ".branch7x7_1", 768, c7, 1));
    l.add(Conv.padded(p + ".branch7x7_2", c7, c7, 1, 7));
    l.add(Conv.padded(p + ".branch7x7_3", c7, 192, 7, 1));
    l.add(Conv.of(p + ".branch7x7dbl_1", 768, c7, 1));
    l.add(Conv.padded(p + ".branch7x7dbl_2", c7, c7, 7, 1));
    l.add(Conv.padded(p + ".branch7x7dbl_3", c7, c7, 1, 7));
    l.add(Conv.padded(p + ".branch7x7dbl_4", c7, c7, 7, 1));
    l.add(Conv.padded(p + ".branch7x7dbl_5", c7, 192, 1, 7));
    l.add(Conv.of(p + ".branch_pool", 768, 192, 1));
  }

  private static void blockE(List<Conv> l, String p, int in) {
    l.add(Conv.of(p + ".branch1x1", in, 320, 1));
    l.add(Conv.of(p + ".branch3x3_1", in, 384, 1));
    l.add(Conv.padded(p + ".branch3x3_2a", 384, 384, 1, 3));
    l.add(Conv.padded(p + ".branch3x3_2b", 384, 384, 3, 1));
    l.add(Conv.of(p + ".branch3x3dbl_1", in, 448, 1));
    l.add(Conv.padded(p + ".branch3x3dbl_2", 448, 384, 3, 3));
    l.add(Conv.padded(p + ".branch3x3dbl_3a", 384, 384, 1, 3));
    l.add(Conv.padded(p + ".branch3x3dbl_3b", 384, 384, 3, 1));
    l.add(Conv.of(p + ".branch_pool", in, 192, 1));
  }

  /** Height (= width) of the maps a layer reads, at the 299x299 input: the same for every layer of a block. */
  static int inputSize(String layer) {
    String block = layer.substring(0, layer.indexOf('.') < 0 ? layer.length() : layer.indexOf('.'));
    return switch (block) {
      case "Conv2d_1a_3x3" -> 299;
      case "Conv2d_2a_3x3" -> 149;
      case "Conv2d_2b_3x3" -> 147;
      case "Conv2d_3b_1x1", "Conv2d_4a_3x3" -> 73;
      case "Mixed_5b", "Mixed_5c", "Mixed_5d", "Mixed_6a" -> 35;
      case "Mixed_6b", "Mixed_6c", "Mixed_6d", "Mixed_6e", "Mixed_7a" -> 17;
      case "Mixed_7b", "Mixed_7c" -> 8;
      default -> throw new IllegalArgumentException("no layer " + layer);
    };
  }

  /** Multiply-adds of one image's forward pass (convolutions and fc; pooling and resize not counted). */
  public static long multiplyAddsPerImage() {
    long total = (long) DIMENSION * CLASSES;
    for (Conv c : LAYERS) {
      int in = inputSize(c.name());
      long oh = (in + 2L * c.ph() - c.kh()) / c.sh() + 1;
      long ow = (in + 2L * c.pw() - c.kw()) / c.sw() + 1;
      total += (long) c.out() * c.in() * c.kh() * c.kw() * oh * ow;
    }
    return total;
  }

  /** The weights read, by state_dict key, with their shapes, in canonical order. */
  public static Map<String, long[]> weightShapes() {
    Map<String, long[]> shapes = new LinkedHashMap<>();
    for (Conv c : LAYERS) {
      shapes.put(c.name() + ".conv.weight", new long[] {c.out(), c.in(), c.kh(), c.kw()});
      for (String s : List.of("weight", "bias", "running_mean", "running_var")) {
        shapes.put(c.name() + ".bn." + s, new long[] {c.out()});
      }
    }
    shapes.put("fc.weight", new long[] {CLASSES, DIMENSION});
    shapes.put("fc.bias", new long[] {CLASSES});
    return Collections.unmodifiableMap(shapes);
  }

  /** A convolution with its BatchNorm folded in: kernel [kh, kw, in, out], bias [out]. */
  private record Folded(Conv conv, INDArray kernel, INDArray bias, Conv2DConfig config) {}

  private final Map<String, Folded> convs = new HashMap<>();
  private final INDArray fcWeightT;
  private final INDArray fcBias;
  private final String hash;
  /**
   * Images per forward pass: callers batch by hundreds (evaluate's batch-size), but at 299x299 the
   * im2col buffer of Conv2d_2b_3x3 alone is 25 MB per image; results do not depend on it.
   */
  private final int chunk;
  private final Map<List<Long>, INDArray[]> resizeMatrices = new ConcurrentHashMap<>();

  private FidInceptionV3(FidInceptionV3 other, int chunk) {
    this.convs.putAll(other.convs);
    this.fcWeightT = other.fcWeightT;
    this.fcBias = other.fcBias;
    this.hash = other.hash;
    this.chunk = chunk;
  }

  private FidInceptionV3(Map<String, Npz.Array> weights, String file) {
    this.chunk = DEFAULT_CHUNK;
    Map<String, long[]> shapes = weightShapes();
    MessageDigest digest = Hashes.sha256();
    digest.update(ARCHITECTURE.getBytes(StandardCharsets.UTF_8));
    for (Map.Entry<String, long[]> e : shapes.entrySet()) {
      Npz.Array a = weights.get(e.getKey());
      if (a == null) {
        throw new IllegalArgumentException(file + ": weight " + e.getKey() + " is missing (expected the state_dict "
            + "names of pytorch-fid's fid_inception_v3(), shape " + Arrays.toString(e.getValue()) + ")");
      }
      if (!Arrays.equals(a.shape(), e.getValue())) {
        throw new IllegalArgumentException(file + ": weight " + e.getKey() + " has shape " + Arrays.toString(a.shape())
            + ", expected " + Arrays.toString(e.getValue()));
      }
      digest.update(e.getKey().getBytes(StandardCharsets.UTF_8));
      ByteBuffer b = ByteBuffer.allocate(8 * a.shape().length + 4 * a.data().length).order(ByteOrder.LITTLE_ENDIAN);
      for (long s : a.shape()) {
        b.putLong(s);
      }
      b.asFloatBuffer().put(a.data());
      digest.update(b.array());
    }
    this.hash = Hashes.hex(digest.digest());
    for (Conv c : LAYERS) {
      convs.put(c.name(), fold(c, weights));
    }
    this.fcWeightT = array(weights.get("fc.weight")).transpose().dup('c');
    this.fcBias = array(weights.get("fc.bias")).reshape(1, CLASSES);
  }

  /** BN(conv(x, W)) = conv(x, W s) + (beta - mean s), s = gamma / sqrt(var + eps), per output channel. */
  private static Folded fold(Conv c, Map<String, Npz.Array> w) {
    float[] kernel = w.get(c.name() + ".conv.weight").data(); // [out, in, kh, kw]
    float[] gamma = w.get(c.name() + ".bn.weight").data();
    float[] beta = w.get(c.name() + ".bn.bias").data();
    float[] mean = w.get(c.name() + ".bn.running_mean").data();
    float[] var = w.get(c.name() + ".bn.running_var").data();
    int in = c.in();
    int out = c.out();
    int taps = c.kh() * c.kw();
    float[] scaled = new float[kernel.length]; // [kh, kw, in, out], libnd4j's layout
    float[] bias = new float[out];
    for (int o = 0; o < out; o++) {
      double s = gamma[o] / Math.sqrt(var[o] + BN_EPSILON);
      for (int i = 0; i < in; i++) {
        for (int t = 0; t < taps; t++) {
          scaled[(t * in + i) * out + o] = (float) (kernel[(o * in + i) * taps + t] * s);
        }
      }
      bias[o] = (float) (beta[o] - mean[o] * s);
    }
    INDArray k = Nd4j.create(scaled, new long[] {c.kh(), c.kw(), in, out}, 'c');
    Conv2DConfig config = Conv2DConfig.builder()
        .kH(c.kh()).kW(c.kw()).sH(c.sh()).sW(c.sw()).pH(c.ph()).pW(c.pw())
        .paddingMode(PaddingMode.VALID).dataFormat(Conv2DConfig.NCHW)
        .build();
    return new Folded(c, k, Nd4j.create(bias, new long[] {c.out()}, 'c'), config);
  }

  private static INDArray array(Npz.Array a) {
    return Nd4j.create(a.data(), a.shape(), 'c');
  }

  /** The network with the weights of an {@code .npz} (keys as {@link #weightShapes()}; others are ignored). */
  public static FidInceptionV3 read(InputStream npz, String file) {
    return new FidInceptionV3(Npz.read(npz, file, weightShapes().keySet()), file);
  }

  public static FidInceptionV3 read(byte[] npz, String file) {
    return new FidInceptionV3(Npz.read(npz, file, weightShapes().keySet()), file);
  }

  public static FidInceptionV3 read(Path npz) {
    try (InputStream in = Files.newInputStream(npz)) {
      return read(in, npz.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(npz + ": " + e.getMessage(), e);
    }
  }

  static FidInceptionV3 of(Map<String, Npz.Array> weights, String name) {
    return new FidInceptionV3(weights, name);
  }

  // ---- deterministic random weights (tests and benchmarks; not a trained network) ----

  private static final long GOLDEN = 0x9E3779B97F4A7C15L;
  private static final long STREAM = 0xD1B54A32D192ED03L;

  /**
   * Weights drawn from SplitMix64 (one stream per key, in canonical order), scaled so that activations
   * stay of order one: He-uniform kernels, BatchNorm gamma 1 +- 0.2, beta +- 0.1, running mean +- 0.2,
   * running variance 1 +- 0.5. {@code reference.py} in the tests makes the same numbers with numpy.
   */
  public static Map<String, Npz.Array> randomWeights(long seed) {
    Map<String, Npz.Array> out = new LinkedHashMap<>();
    int k = 0;
    for (Map.Entry<String, long[]> e : weightShapes().entrySet()) {
      String key = e.getKey();
      long[] shape = e.getValue();
      int n = Math.toIntExact(Arrays.stream(shape).reduce(1, (a, b) -> a * b));
      long base = seed + (k + 1) * STREAM;
      float[] v = new float[n];
      for (int i = 0; i < n; i++) {
        long z = base + (i + 1) * GOLDEN;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z = z ^ (z >>> 31);
        double u = (z >>> 40) / (double) (1 << 24) * 2.0 - 1.0;
        double x;
        if (key.endsWith("conv.weight")) {
          x = u * Math.sqrt(6.0 / (shape[1] * shape[2] * shape[3]));
        } else if (key.endsWith("bn.weight")) {
          x = 1.0 + 0.2 * u;
        } else if (key.endsWith("bn.bias")) {
          x = 0.1 * u;
        } else if (key.endsWith("running_mean")) {
          x = 0.2 * u;
        } else if (key.endsWith("running_var")) {
          x = 1.0 + 0.5 * u;
        } else if (key.equals("fc.weight")) {
          x = u * Math.sqrt(3.0 / shape[1]);
        } else {
          x = 0.1 * u;
        }
        v[i] = (float) x;
      }
      out.put(key, new Npz.Array(shape, v));
      k++;
    }
    return out;
  }

  /** {@link #randomWeights} as an {@code .npz} file's bytes. */
  public static byte[] randomWeightsNpz(long seed) {
    return Npz.write(randomWeights(seed));
  }

  // ---- FeatureExtractor ----

  @Override
  public String id() {
    return ID;
  }

  /** SHA-256 of the architecture tag and, in canonical key order, each weight's key, shape and float32 bytes. */
  @Override
  public String hash() {
    return hash;
  }

  @Override
  public int dimension() {
    return DIMENSION;
  }

  @Override
  public String protocol() {
    return PROTOCOL;
  }

  @Override
  public boolean hasLogits() {
    return true;
  }

  @Override
  public Output apply(INDArray images) {
    long[] s = images.shape();
    if (s.length != 4 || (s[1] != 1 && s[1] != 3) || s[0] < 1 || s[2] < 1 || s[3] < 1) {
      throw new IllegalArgumentException("Inception-v3 reads images [N, 1 or 3, H, W], got " + Arrays.toString(s));
    }
    if (s[0] <= chunk) {
      return forward(images);
    }
    List<INDArray> features = new ArrayList<>();
    List<INDArray> logits = new ArrayList<>();
    for (long from = 0; from < s[0]; from += chunk) {
      Output o = forward(images.get(NDArrayIndex.interval(from, Math.min(s[0], from + chunk))));
      features.add(o.features());
      logits.add(o.logits());
    }
    return new Output(Nd4j.concat(0, features.toArray(INDArray[]::new)), Nd4j.concat(0, logits.toArray(INDArray[]::new)));
  }

  /** {@link #apply} with at most {@code chunk} images per forward pass (bounds memory, not results). */
  FidInceptionV3 withChunk(int chunk) {
    return new FidInceptionV3(this, chunk);
  }

  private Output forward(INDArray images) {
    INDArray x = prepare(images);
    x = conv(x, "Conv2d_1a_3x3", true);
    x = conv(x, "Conv2d_2a_3x3", true);
    x = conv(x, "Conv2d_2b_3x3", true);
    x = consume(x, pool(x, false, 3, 2, 0));
    x = conv(x, "Conv2d_3b_1x1", true);
    x = conv(x, "Conv2d_4a_3x3", true);
    x = consume(x, pool(x, false, 3, 2, 0));
    for (String p : List.of("Mixed_5b", "Mixed_5c", "Mixed_5d")) {
      x = consume(x, blockA(x, p));
    }
    x = consume(x, blockB(x, "Mixed_6a"));
    for (String p : List.of("Mixed_6b", "Mixed_6c", "Mixed_6d", "Mixed_6e")) {
      x = consume(x, blockC(x, p));
    }
    x = consume(x, blockD(x, "Mixed_7a"));
    x = consume(x, blockE(x, "Mixed_7b", false));
    x = consume(x, blockE(x, "Mixed_7c", true));
    INDArray features = consume(x, x.mean(2, 3));
    INDArray logits = features.mmul(fcWeightT).addiRowVector(fcBias);
    return new Output(features, logits);
  }

  /** Float32 RGB at 299x299: grey repeated to three channels, then the bilinear resize. */
  INDArray prepare(INDArray images) {
    INDArray x = images.castTo(DataType.FLOAT);
    if (x.size(1) == 1) {
      x = Nd4j.concat(1, x, x, x);
    }
    return resize(x, SIZE, SIZE);
  }

  /**
   * Bilinear resize of [N, C, H, W] as {@code F.interpolate(mode='bilinear', align_corners=False)}:
   * output pixel o reads source (o + 0.5) in/out - 0.5, clamped below at 0, as two interpolation
   * matrices, R_h X R_w^T. A new array, even where the size is unchanged.
   */
  INDArray resize(INDArray x, int outH, int outW) {
    long n = x.size(0);
    long c = x.size(1);
    long h = x.size(2);
    long w = x.size(3);
    INDArray[] m = resizeMatrices.computeIfAbsent(List.of(h, w, (long) outH, (long) outW),
        key -> new INDArray[] {interpolation((int) h, outH), interpolation((int) w, outW).transpose().dup('c')});
    INDArray rows = x.dup('c').reshape(n * c * h, w).mmul(m[1]); // [N C H, outW]
    INDArray byRow = rows.reshape(n * c, h, outW).permute(1, 0, 2).dup('c').reshape(h, n * c * outW);
    INDArray out = m[0].mmul(byRow); // [outH, N C outW]
    return out.reshape(outH, n * c, outW).permute(1, 0, 2).dup('c').reshape(n, c, outH, outW);
  }

  /** [out, in] weights of 1-D linear interpolation with half-pixel centres. */
  static INDArray interpolation(int in, int out) {
    double[][] m = new double[out][in];
    double scale = (double) in / out;
    for (int o = 0; o < out; o++) {
      double src = Math.max((o + 0.5) * scale - 0.5, 0.0);
      int i0 = Math.min((int) Math.floor(src), in - 1);
      int i1 = Math.min(i0 + 1, in - 1);
      double lambda = src - i0;
      m[o][i0] += 1.0 - lambda;
      m[o][i1] += lambda;
    }
    return Nd4j.create(m).castTo(DataType.FLOAT);
  }

  // ---- blocks: each reads x (the caller releases it) and releases its own intermediates ----

  private INDArray blockA(INDArray x, String p) {
    INDArray b1 = conv(x, p + ".branch1x1", false);
    INDArray b5 = conv(conv(x, p + ".branch5x5_1", false), p + ".branch5x5_2", true);
    INDArray b3 = conv(conv(conv(x, p + ".branch3x3dbl_1", false), p + ".branch3x3dbl_2", true),
        p + ".branch3x3dbl_3", true);
    INDArray bp = conv(pool(x, true, 3, 1, 1), p + ".branch_pool", true);
    return concat(b1, b5, b3, bp);
  }

  private INDArray blockB(INDArray x, String p) {
    INDArray b3 = conv(x, p + ".branch3x3", false);
    INDArray bd = conv(conv(conv(x, p + ".branch3x3dbl_1", false), p + ".branch3x3dbl_2", true),
        p + ".branch3x3dbl_3", true);
    return concat(b3, bd, pool(x, false, 3, 2, 0));
  }

  private INDArray blockC(INDArray x, String p) {
    INDArray b1 = conv(x, p + ".branch1x1", false);
    INDArray b7 = conv(x, p + ".branch7x7_1", false);
    b7 = conv(conv(b7, p + ".branch7x7_2", true), p + ".branch7x7_3", true);
    INDArray bd = conv(x, p + ".branch7x7dbl_1", false);
    for (String s : List.of("_2", "_3", "_4", "_5")) {
      bd = conv(bd, p + ".branch7x7dbl" + s, true);
    }
    INDArray bp = conv(pool(x, true, 3, 1, 1), p + ".branch_pool", true);
    return concat(b1, b7, bd, bp);
  }

  private INDArray blockD(INDArray x, String p) {
    INDArray b3 = conv(conv(x, p + ".branch3x3_1", false), p + ".branch3x3_2", true);
    INDArray b7 = conv(x, p + ".branch7x7x3_1", false);
    for (String s : List.of("_2", "_3", "_4")) {
      b7 = conv(b7, p + ".branch7x7x3" + s, true);
    }
    return concat(b3, b7, pool(x, false, 3, 2, 0));
  }

  /** FIDInceptionE_1 ({@code maxPool} false: average pooling) and FIDInceptionE_2 (max pooling). */
  private INDArray blockE(INDArray x, String p, boolean maxPool) {
    INDArray b1 = conv(x, p + ".branch1x1", false);
    INDArray b3 = conv(x, p + ".branch3x3_1", false);
    INDArray b3a = conv(b3, p + ".branch3x3_2a", false);
    INDArray b3b = conv(b3, p + ".branch3x3_2b", true);
    INDArray bd = conv(conv(x, p + ".branch3x3dbl_1", false), p + ".branch3x3dbl_2", true);
    INDArray bda = conv(bd, p + ".branch3x3dbl_3a", false);
    INDArray bdb = conv(bd, p + ".branch3x3dbl_3b", true);
    INDArray bp = conv(pool(x, !maxPool, 3, 1, 1), p + ".branch_pool", true);
    return concat(b1, b3a, b3b, bda, bdb, bp);
  }

  /** ReLU(BN(conv(x))), closing {@code x} when {@code consume}. */
  private INDArray conv(INDArray x, String name, boolean consume) {
    Folded f = convs.get(name);
    INDArray y = Nd4j.cnn().conv2d(x, f.kernel(), f.bias(), f.config());
    if (consume) {
      release(x);
    }
    return Transforms.relu(y, false);
  }

  /** Average (padding not counted, as TensorFlow) or max pooling of k x k windows. */
  private static INDArray pool(INDArray x, boolean average, int k, int stride, int pad) {
    Pooling2DConfig config = Pooling2DConfig.builder()
        .kH(k).kW(k).sH(stride).sW(stride).pH(pad).pW(pad)
        .paddingMode(PaddingMode.VALID).isNHWC(false)
        .type(average ? Pooling2D.Pooling2DType.AVG : Pooling2D.Pooling2DType.MAX)
        .extra(0) // avgpool2d's extraParam0: 0 counts only window cells inside the map; M2.1 ignores .divisor()
        .build();
    return average ? Nd4j.cnn().avgPooling2d(x, config) : Nd4j.cnn().maxPooling2d(x, config);
  }

  private static INDArray concat(INDArray... parts) {
    INDArray out = Nd4j.concat(1, parts);
    for (INDArray p : parts) {
      release(p);
    }
    return out;
  }

  /** Frees {@code used}'s off-heap memory now rather than at garbage collection; returns {@code next}. */
  private static INDArray consume(INDArray used, INDArray next) {
    release(used);
    return next;
  }

  private static void release(INDArray a) {
    if (a.closeable()) {
      a.close();
    }
  }
}
