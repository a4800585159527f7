package io.sparkgen.model.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkgen.model.BuildsOnCheckpoint;
import io.sparkgen.model.Families;
import io.sparkgen.model.Family;
import io.sparkgen.model.GenerativeModel;
import io.sparkgen.model.ModelConfig;
import io.sparkgen.model.config.Configs;
import io.sparkgen.model.params.NamedArrays;
import io.sparkgen.model.provenance.Hashes;
import io.sparkgen.model.provenance.Provenance;
import io.sparkgen.model.train.ImageDataset;
import io.sparkgen.model.train.LocalTrainer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A training checkpoint: one zip holding {@code metadata.json} ({@link CheckpointMetadata}) and
 * one {@code arrays/<name>.npy} per state array (parameters, buffers, optimizer state, EMA). Written
 * to a temporary file in the target directory, then renamed atomically, so a reader never sees a
 * partial file. No Java serialization.
 */
public final class Checkpoint {

  /** Bumped on any change to the layout or meaning of the files; older readers refuse newer. */
  public static final int FORMAT_VERSION = 1;

  static final String METADATA = "metadata.json";
  static final String ARRAYS = "arrays/";

  private final CheckpointMetadata metadata;
  private final NamedArrays arrays;

  private Checkpoint(CheckpointMetadata metadata, NamedArrays arrays) {
    this.metadata = metadata;
    this.arrays = arrays;
  }

  public CheckpointMetadata metadata() {
    return metadata;
  }

  public NamedArrays arrays() {
    return arrays;
  }

  /** Writes the trainer's state to {@code file} atomically. */
  public static void save(LocalTrainer trainer, Path file) {
    try {
      Path dir = file.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
      try {
        try (OutputStream out = Files.newOutputStream(tmp)) {
          write(trainer, out);
        }
        try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
          channel.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write checkpoint " + file, e);
    }
  }

  /** The checkpoint zip as bytes, for stores other than the local file system (the caller commits it atomically). */
  public static byte[] toBytes(LocalTrainer trainer) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      write(trainer, out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static void write(LocalTrainer trainer, OutputStream out) throws IOException {
    GenerativeModel model = trainer.model();
    NamedArrays state = trainer.state();
    Map<String, byte[]> npy = new LinkedHashMap<>();
    Map<String, String> sha = new TreeMap<>();
    state.asMap().forEach(
        (name, array) -> {
          byte[] bytes = Nd4j.toNpyByteArray(array.dup('c'));
          npy.put(name, bytes);
          sha.put(name, Hashes.sha256Hex(bytes));
        });
    JsonNode config = Configs.toTree(model.config());
    Map<String, Object> hashed = new TreeMap<>();
    hashed.put("family", model.family());
    hashed.put("config", config);
    hashed.put("train", trainer.config());
    Provenance provenance =
        Provenance.of(Hashes.canonicalHash(hashed), trainer.data().manifestHash(), "", trainer.config().seed());
    if (Families.byId(model.family()) instanceof BuildsOnCheckpoint builtOn) {
      provenance = provenance.withInputs(builtOn.inputs(model.config()));
    }
    CheckpointMetadata metadata =
        new CheckpointMetadata(
            FORMAT_VERSION, model.family(), model.architectureFingerprint(), config, trainer.config(),
            trainer.round(), trainer.partition(), trainer.stepCount(), sha, provenance);
    ZipOutputStream zip = new ZipOutputStream(out);
    put(zip, METADATA, Configs.MAPPER.writeValueAsBytes(metadata));
    for (Map.Entry<String, byte[]> e : npy.entrySet()) {
      put(zip, ARRAYS + e.getKey() + ".npy", e.getValue());
    }
    zip.finish();
  }

  /** Reads a checkpoint, refusing another format version and arrays whose hash does not match. */
  public static Checkpoint read(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return read(in, file.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read checkpoint " + file, e);
    }
  }

  /** {@link #read(Path)} from a stream; {@code file} names the source in errors. */
  public static Checkpoint read(InputStream in, String file) {
    byte[] metadataBytes = null;
    Map<String, byte[]> npy = new TreeMap<>();
    try (ZipInputStream zip = new ZipInputStream(in)) {
      for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
        byte[] bytes = readAll(zip);
        if (e.getName().equals(METADATA)) {
          metadataBytes = bytes;
        } else if (e.getName().startsWith(ARRAYS) && e.getName().endsWith(".npy")) {
          npy.put(e.getName().substring(ARRAYS.length(), e.getName().length() - 4), bytes);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read checkpoint " + file, e);
    }
    if (metadataBytes == null) {
      throw new IllegalArgumentException(file + " is not a sparkgen checkpoint: no " + METADATA);
    }
    JsonNode tree;
    try {
      tree = Configs.MAPPER.readTree(metadataBytes);
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": unreadable " + METADATA, e);
    }
    int version = tree.path("formatVersion").asInt(-1);
    if (version != FORMAT_VERSION) {
      throw new CheckpointMismatchException(
          file + " has checkpoint format version " + version + " but this sparkgen reads version " + FORMAT_VERSION);
    }
    CheckpointMetadata metadata;
    try {
      metadata = Configs.MAPPER.treeToValue(tree, CheckpointMetadata.class);
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": invalid " + METADATA + ": " + e.getMessage(), e);
    }
    if (!metadata.arraySha256().keySet().equals(npy.keySet())) {
      throw new IllegalArgumentException(
          file + ": arrays " + npy.keySet() + " differ from those listed " + metadata.arraySha256().keySet());
    }
    NamedArrays arrays = NamedArrays.empty();
    npy.forEach(
        (name, bytes) -> {
          if (!Hashes.sha256Hex(bytes).equals(metadata.arraySha256().get(name))) {
            throw new IllegalArgumentException(file + ": array '" + name + "' is corrupt (SHA-256 mismatch)");
          }
          arrays.put(name, Nd4j.createNpyFromByteArray(bytes));
        });
    return new Checkpoint(metadata, arrays);
  }

  /** The checkpoint's model config, parsed by its family's config type. */
  public ModelConfig modelConfig() {
    return Families.byId(metadata.family()).readConfig(metadata.config());
  }

  /**
   * Restores this checkpoint into {@code trainer}, refusing another family or architecture. The
   * trainer's next step is then the step the checkpointed run would have taken next.
   */
  public void restoreInto(LocalTrainer trainer) {
    GenerativeModel model = trainer.model();
    if (!metadata.family().equals(model.family())) {
      throw new CheckpointMismatchException(
          "checkpoint is of family '" + metadata.family() + "' but the model is '" + model.family() + "'");
    }
    String expected = model.architectureFingerprint();
    if (!metadata.architecture().equals(expected)) {
      throw new CheckpointMismatchException(
          "checkpoint architecture " + metadata.architecture() + " does not match the model's " + expected
              + "; array layouts: checkpoint " + arrays + " vs model " + trainer.state());
    }
    trainer.restore(arrays, metadata.step());
  }

  /**
   * The model rebuilt from the checkpoint's own config with its parameters and buffers restored
   * (optimizer state untouched): what sampling and evaluation need. Give its sampler {@link #ema()}.
   */
  public GenerativeModel model() {
    GenerativeModel model = Families.byId(metadata.family()).createFrom(modelConfig(), metadata.train().seed());
    if (!metadata.architecture().equals(model.architectureFingerprint())) {
      throw new CheckpointMismatchException("checkpoint architecture " + metadata.architecture()
          + " does not match the " + metadata.family() + " model its own config builds (" + model.architectureFingerprint()
          + "); it was written by an incompatible sparkgen");
    }
    model.network().parameters().assign(arrays.group("param"));
    model.network().buffers().assign(arrays.group("buffer"));
    return model;
  }

  /** The EMA of the parameters, by parameter name: the weights samplers use by default. */
  public NamedArrays ema() {
    return arrays.group("ema");
  }

  /** The live (last-step) parameters, by name. */
  public NamedArrays parameters() {
    return arrays.group("param");
  }

  /** A trainer rebuilt from the checkpoint's own configs and restored to its state. */
  public LocalTrainer resume(ImageDataset data) {
    Family<?> family = Families.byId(metadata.family());
    GenerativeModel model = family.createFrom(modelConfig(), metadata.train().seed());
    LocalTrainer trainer = new LocalTrainer(model, metadata.train(), data, metadata.round(), metadata.partition());
    restoreInto(trainer);
    return trainer;
  }

  private static void put(ZipOutputStream zip, String name, byte[] bytes) throws IOException {
    ZipEntry entry = new ZipEntry(name);
    entry.setTime(0L);
    zip.putNextEntry(entry);
    zip.write(bytes);
    zip.closeEntry();
  }

  private static byte[] readAll(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    in.transferTo(out);
    return out.toByteArray();
  }
}
