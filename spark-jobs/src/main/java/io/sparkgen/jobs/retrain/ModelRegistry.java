package io.sparkgen.jobs.retrain;

import io.sparkgen.jobs.fs.Csv;
import io.sparkgen.jobs.fs.HadoopFiles;
import io.sparkgen.jobs.fs.StagedDirectory;
import io.sparkgen.model.config.Configs;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Numbered model versions in a directory on any Hadoop file system:
 * <pre>
 *   versions/v000001/checkpoint.zip   the model
 *   versions/v000001/version.json     its metrics, provenance and why it was made
 *   current                           {"version": 1}, replaced in one rename when a version is promoted
 *   decisions.csv                     every promote/reject decision with its numbers and reason
 *   lock                              {@link RegistryLock}
 * </pre>
 * A version directory is committed by rename (whole or absent); versions are never changed or
 * deleted, so the current pointer always names a complete model.
 */
public final class ModelRegistry {

  private static final Pattern VERSION = Pattern.compile("v(\\d{6})");
  static final String DECISIONS_HEADER = "time,candidate_run,metric,candidate,current,margin,promoted,version,reason";

  private final FileSystem fs;
  private final Path root;

  public ModelRegistry(FileSystem fs, Path root) {
    this.fs = fs;
    this.root = fs.makeQualified(root);
  }

  public Path root() {
    return root;
  }

  public Path lockFile() {
    return new Path(root, "lock");
  }

  public static String name(int version) {
    return String.format("v%06d", version);
  }

  public Path versionDir(int version) {
    return new Path(root, "versions/" + name(version));
  }

  public Path checkpoint(int version) {
    return new Path(versionDir(version), "checkpoint.zip");
  }

  /** Committed versions, ascending. */
  public List<Integer> versions() throws IOException {
    Path dir = new Path(root, "versions");
    List<Integer> out = new ArrayList<>();
    if (fs.exists(dir)) {
      for (FileStatus f : fs.listStatus(dir)) {
        Matcher m = VERSION.matcher(f.getPath().getName());
        if (f.isDirectory() && m.matches()) {
          out.add(Integer.parseInt(m.group(1)));
        }
      }
    }
    out.sort(Integer::compare);
    return out;
  }

  /** The promoted version, if any. */
  public OptionalInt current() throws IOException {
    Path pointer = new Path(root, "current");
    if (!fs.exists(pointer)) {
      return OptionalInt.empty();
    }
    try (InputStream in = fs.open(pointer)) {
      Map<?, ?> json = Configs.MAPPER.readValue(in.readAllBytes(), Map.class);
      Object v = json.get("version");
      if (!(v instanceof Number n) || !fs.exists(versionDir(n.intValue()))) {
        throw new IOException(pointer + " names version " + v + ", which the registry does not hold");
      }
      return OptionalInt.of(n.intValue());
    }
  }

  /** The description written with a version. */
  @SuppressWarnings("unchecked")
  public Map<String, Object> describe(int version) throws IOException {
    try (InputStream in = fs.open(new Path(versionDir(version), "version.json"))) {
      return Configs.MAPPER.readValue(in.readAllBytes(), Map.class);
    }
  }

  /**
   * Adds the next version from checkpoint bytes and a description, committed by rename; returns its
   * number. Not yet current: {@link #promote} makes it so.
   */
  public int add(byte[] checkpoint, Map<String, Object> description) throws IOException {
    List<Integer> existing = versions();
    int version = existing.isEmpty() ? 1 : existing.get(existing.size() - 1) + 1;
    Map<String, Object> json = new TreeMap<>(description);
    json.put("version", version);
    try (StagedDirectory staged = StagedDirectory.begin(fs, versionDir(version), false, StagedDirectory.newRunId())) {
      HadoopFiles.write(fs, new Path(staged.path(), "checkpoint.zip"), checkpoint);
      HadoopFiles.write(fs, new Path(staged.path(), "version.json"),
          Configs.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(json));
      staged.commit();
    }
    return version;
  }

  /** Points {@code current} at {@code version} in one rename. */
  public void promote(int version) throws IOException {
    if (!fs.exists(versionDir(version))) {
      throw new IllegalArgumentException("cannot promote " + name(version) + ": the registry " + root + " has no such version");
    }
    HadoopFiles.write(fs, new Path(root, "current"),
        Configs.MAPPER.writeValueAsBytes(Map.of("version", version)));
  }

  /** Appends a decision row (the file is rewritten in one rename). */
  public void recordDecision(List<String> cells) throws IOException {
    Path file = new Path(root, "decisions.csv");
    String existing = DECISIONS_HEADER + "\n";
    if (fs.exists(file)) {
      try (InputStream in = fs.open(file)) {
        existing = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
    }
    HadoopFiles.write(fs, file, (existing + Csv.row(cells) + "\n").getBytes(StandardCharsets.UTF_8));
  }
}
