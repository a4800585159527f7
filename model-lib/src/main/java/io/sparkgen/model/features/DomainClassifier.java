package io.sparkgen.model.features;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkgen.model.ImageShape;
import io.sparkgen.model.config.Configs;
import io.sparkgen.model.nn.Backprop;
import io.sparkgen.model.nn.Forward;
import io.sparkgen.model.nn.GraphBuilder;
import io.sparkgen.model.nn.Layers.Padding;
import io.sparkgen.model.nn.Layers;
import io.sparkgen.model.optim.Adam;
import io.sparkgen.model.optim.AdamConfig;
import io.sparkgen.model.params.NamedArrays;
import io.sparkgen.model.provenance.Hashes;
import io.sparkgen.model.random.Rng;
import io.sparkgen.model.random.Seeds;
import io.sparkgen.model.train.ImageDataset;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntConsumer;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The domain feature network sparkgen trains itself on the dataset's labels, so that FID works
 * where no Inception weights are available: 3x3 ReLU convolutions (stride 1, then 2 for each
 * further entry of {@code channels}), global average pooling to the features (the analogue of
 * Inception's pool3), and a dense layer to class logits, trained with softmax cross-entropy.
 * Saved as a zip of {@code metadata.json} and {@code arrays/<name>.npy}; its {@link #hash()} covers
 * the architecture and every weight byte.
 */
public final class DomainClassifier implements FeatureExtractor {

  public static final String ID = "domain";
  static final int FORMAT_VERSION = 1;
  /** Stream code of the data order of training epochs (Seeds' streams use 1..4). */
  private static final long EPOCH_STREAM = 5;
  private static final String X = "x";
  private static final String Y = "y";

  /** Architecture and training settings. */
  public record Config(ImageShape image, int numClasses, List<Integer> channels, AdamConfig optimizer) {
    public Config {
      channels = List.copyOf(channels);
      if (numClasses < 2) {
        throw new IllegalArgumentException("a classifier needs at least 2 classes, got " + numClasses);
      }
      if (channels.isEmpty()) {
        throw new IllegalArgumentException("channels must name at least one convolution");
      }
    }

    public static Config defaults(ImageShape image, int numClasses) {
      return new Config(image, numClasses, List.of(32, 64, 128), AdamConfig.of(1e-3, 0.9));
    }
  }

  private final Config config;
  private final NamedArrays parameters;
  private final SameDiff graph;
  private final String features;
  private final String logits;
  private final String loss;
  private final String accuracy;
  private final List<String> trainable;
  private String hash;

  private DomainClassifier(Config config, NamedArrays parameters, long seed) {
    this.config = config;
    this.parameters = parameters;
    GraphBuilder g = new GraphBuilder(parameters, NamedArrays.empty(), seed, DataType.FLOAT);
    SDVariable h = g.placeholder(X, config.image().batchShape(-1));
    long in = config.image().channels();
    for (int i = 0; i < config.channels().size(); i++) {
      long out = config.channels().get(i);
      h = g.sd().nn().relu(Layers.conv2d(g, "conv" + i, h, in, out, 3, i == 0 ? 1 : 2, Padding.SAME, true), 0.0);
      in = out;
    }
    SDVariable pooled = h.mean(2, 3);
    SDVariable out = Layers.dense(g, "logits", pooled, in, config.numClasses(), true);
    SDVariable y = g.placeholder(Y, -1, config.numClasses());
    SDVariable lossVar = g.sd().loss().softmaxCrossEntropy(y, out, null);
    lossVar.markAsLoss();
    SDVariable correct = out.argmax(1).eq(y.argmax(1)).castTo(DataType.FLOAT).mean();
    this.graph = g.sd();
    this.features = pooled.name();
    this.logits = out.name();
    this.loss = lossVar.name();
    this.accuracy = correct.name();
    this.trainable = List.copyOf(parameters.names());
  }

  /** A fresh classifier, every weight drawn from the seed. */
  public static DomainClassifier create(Config config, long seed) {
    return new DomainClassifier(config, NamedArrays.empty(), seed);
  }

  public Config config() {
    return config;
  }

  @Override
  public String id() {
    return ID;
  }

  @Override
  public synchronized String hash() {
    if (hash == null) {
      var digest = Hashes.sha256();
      digest.update(Configs.toJson(config).getBytes(java.nio.charset.StandardCharsets.UTF_8));
      parameters.asMap().forEach((name, a) -> {
        digest.update(name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        digest.update(Nd4j.toNpyByteArray(a.dup('c')));
      });
      hash = Hashes.hex(digest.digest());
    }
    return hash;
  }

  @Override
  public int dimension() {
    return config.channels().get(config.channels().size() - 1);
  }

  /** Images as stored: the model's shape and [-1, 1], no resizing. */
  @Override
  public String protocol() {
    ImageShape s = config.image();
    return "domain:" + s.channels() + "x" + s.height() + "x" + s.width() + ",range=[-1,1]";
  }

  @Override
  public boolean hasLogits() {
    return true;
  }

  @Override
  public Output apply(INDArray images) {
    long[] shape = images.shape();
    ImageShape s = config.image();
    if (shape.length != 4 || shape[1] != s.channels() || shape[2] != s.height() || shape[3] != s.width()) {
      throw new IllegalArgumentException("the domain feature network reads " + s.channels() + "x" + s.height() + "x"
          + s.width() + " images, got " + java.util.Arrays.toString(shape));
    }
    Map<String, INDArray> out = Forward.run(graph, Map.of(X, images.castTo(DataType.FLOAT)), features, logits);
    return new Output(out.get(features), out.get(logits));
  }

  /** Per-epoch summary of {@link #train}. */
  public record EpochReport(int epoch, double loss, double accuracy) {}

  /**
   * Trains on labelled images with Adam: {@code epochs} passes, each in the order of a
   * Fisher-Yates shuffle seeded by (seed, epoch); {@code onBatch} hears the number of images
   * done after each batch (for progress).
   */
  public List<EpochReport> train(ImageDataset data, int epochs, int batchSize, long seed, IntConsumer onBatch) {
    if (data.labels() == null) {
      throw new IllegalArgumentException("the domain feature network trains on labels; the data has none");
    }
    Adam adam = new Adam(config.optimizer(), parameters);
    int n = data.size();
    List<EpochReport> reports = new java.util.ArrayList<>();
    for (int epoch = 0; epoch < epochs; epoch++) {
      int[] order = new Rng(Seeds.derive(seed, EPOCH_STREAM, epoch)).permutation(n);
      double lossSum = 0;
      double correctSum = 0;
      for (int from = 0; from < n; from += batchSize) {
        int to = Math.min(n, from + batchSize);
        int[] idx = java.util.Arrays.copyOfRange(order, from, to);
        INDArray x = Nd4j.pullRows(data.images().reshape(n, -1), 1, idx).reshape(idx.length, config.image().channels(),
            config.image().height(), config.image().width()).castTo(DataType.FLOAT);
        int[] labels = new int[idx.length];
        for (int i = 0; i < idx.length; i++) {
          labels[i] = data.labels()[idx[i]];
        }
        Map<String, INDArray> in = new HashMap<>();
        in.put(X, x);
        in.put(Y, io.sparkgen.model.Batch.oneHot(labels, config.numClasses(), DataType.FLOAT));
        try (Backprop.Result r = Backprop.run(graph, in, List.of(loss, accuracy), trainable)) {
          adam.update(parameters, r.gradients());
          lossSum += r.outputs().get(loss).getDouble(0) * idx.length;
          correctSum += r.outputs().get(accuracy).getDouble(0) * idx.length;
        }
        onBatch.accept(to);
      }
      reports.add(new EpochReport(epoch, lossSum / n, correctSum / n));
    }
    synchronized (this) {
      hash = null;
    }
    return reports;
  }

  /** Fraction of images whose arg-max logit is their label. */
  public double accuracy(INDArray images, int[] labels, int batchSize) {
    long correct = 0;
    for (int from = 0; from < labels.length; from += batchSize) {
      int to = Math.min(labels.length, from + batchSize);
      INDArray logitsBatch = apply(images.get(NDArrayIndex.interval(from, to))).logits();
      INDArray predicted = logitsBatch.argMax(1);
      for (int i = from; i < to; i++) {
        correct += predicted.getInt(i - from) == labels[i] ? 1 : 0;
      }
    }
    return correct / (double) labels.length;
  }

  /** The saved form: metadata (format, config, hash, {@code extra} such as accuracy and data provenance) and weights. */
  public byte[] toBytes(Map<String, Object> extra) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      ObjectNode meta = Configs.MAPPER.createObjectNode();
      meta.put("formatVersion", FORMAT_VERSION);
      meta.put("extractor", ID);
      meta.put("hash", hash());
      meta.set("config", Configs.toTree(config));
      meta.set("extra", Configs.MAPPER.valueToTree(new TreeMap<>(extra)));
      zip.putNextEntry(new ZipEntry("metadata.json"));
      zip.write(Configs.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(meta));
      zip.closeEntry();
      for (Map.Entry<String, INDArray> e : parameters.asMap().entrySet()) {
        zip.putNextEntry(new ZipEntry("arrays/" + e.getKey() + ".npy"));
        zip.write(Nd4j.toNpyByteArray(e.getValue().dup('c')));
        zip.closeEntry();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** Reads {@link #toBytes}; refuses another format version, a missing or misshapen weight, or a hash that does not match. */
  public static DomainClassifier read(InputStream in, String name) {
    JsonNode meta = null;
    Map<String, INDArray> arrays = new TreeMap<>();
    try (ZipInputStream zip = new ZipInputStream(in)) {
      for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
        byte[] b = zip.readAllBytes();
        if (e.getName().equals("metadata.json")) {
          meta = Configs.MAPPER.readTree(b);
        } else if (e.getName().startsWith("arrays/") && e.getName().endsWith(".npy")) {
          arrays.put(e.getName().substring(7, e.getName().length() - 4), Nd4j.createNpyFromByteArray(b));
        }
      }
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(name + ": not a sparkgen domain feature network (" + e.getMessage() + ")", e);
    }
    if (meta == null || meta.path("formatVersion").asInt(-1) != FORMAT_VERSION || !ID.equals(meta.path("extractor").asText())) {
      throw new IllegalArgumentException(name + ": not a domain feature network of format version " + FORMAT_VERSION);
    }
    Config config;
    try {
      config = Configs.MAPPER.treeToValue(meta.get("config"), Config.class);
    } catch (IOException e) {
      throw new IllegalArgumentException(name + ": unreadable config: " + e.getMessage(), e);
    }
    DomainClassifier fresh = create(config, 0L);
    for (Map.Entry<String, INDArray> e : fresh.parameters.asMap().entrySet()) {
      INDArray stored = arrays.get(e.getKey());
      if (stored == null) {
        throw new IllegalArgumentException(name + ": weight " + e.getKey() + " is missing");
      }
      if (!java.util.Arrays.equals(stored.shape(), e.getValue().shape())) {
        throw new IllegalArgumentException(name + ": weight " + e.getKey() + " has shape "
            + java.util.Arrays.toString(stored.shape()) + ", expected " + java.util.Arrays.toString(e.getValue().shape()));
      }
      e.getValue().assign(stored.castTo(DataType.FLOAT));
    }
    String expected = meta.path("hash").asText();
    if (!fresh.hash().equals(expected)) {
      throw new IllegalArgumentException(name + ": weights hash to " + fresh.hash() + " but the file says " + expected);
    }
    return fresh;
  }

  public static DomainClassifier read(byte[] bytes, String name) {
    return read(new ByteArrayInputStream(bytes), name);
  }

  /** The metadata's {@code extra} object of a saved network (accuracy, data provenance). */
  public static JsonNode extra(byte[] bytes) {
    try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(bytes))) {
      for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
        if (e.getName().equals("metadata.json")) {
          return Configs.MAPPER.readTree(zip.readAllBytes()).path("extra");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Configs.MAPPER.createObjectNode();
  }
}
