package io.sparkgen.jobs.fs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.UUID;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Atomic commit of an output directory: everything is written into a hidden sibling
 * {@code .<name>.staging-<runId>} and renamed onto the target at the end. A job that fails or is
 * killed before {@link #commit()} leaves only the hidden staging directory, which no reader takes
 * for output (Hadoop input formats skip names starting with '.' and '_'). On HDFS and local file
 * systems the rename is atomic; on object stores (s3a) it is a copy, which is why readers also
 * check the manifest's file list.
 */
public final class StagedDirectory implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(StagedDirectory.class);

  private final FileSystem fs;
  private final Path target;
  private final Path staging;
  private final boolean overwrite;
  private final String runId;
  private boolean committed;

  private StagedDirectory(FileSystem fs, Path target, Path staging, boolean overwrite, String runId) {
    this.fs = fs;
    this.target = target;
    this.staging = staging;
    this.overwrite = overwrite;
    this.runId = runId;
  }

  /** Fails if the target exists and may not be replaced. */
  public static void checkTarget(FileSystem fs, Path target, boolean overwrite) throws IOException {
    Path qualified = fs.makeQualified(target);
    if (fs.exists(qualified) && !overwrite) {
      throw new OutputExistsException(
          "output " + qualified + " already exists; choose another output or pass --overwrite to replace it atomically");
    }
  }

  /** A fresh run id for {@link #begin}: UTC time and a random suffix, so concurrent runs never share a staging directory. */
  public static String newRunId() {
    return DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now()) + "-"
        + UUID.randomUUID().toString().substring(0, 8);
  }

  /** Checks the target and creates the staging directory. */
  public static StagedDirectory begin(FileSystem fs, Path target, boolean overwrite, String runId) throws IOException {
    checkTarget(fs, target, overwrite);
    Path qualified = fs.makeQualified(target);
    Path parent = qualified.getParent();
    if (parent == null) {
      throw new IllegalArgumentException("output " + qualified + " must not be a file system root");
    }
    fs.mkdirs(parent);
    String prefix = "." + qualified.getName() + ".staging-";
    for (FileStatus stale : fs.listStatus(parent, p -> p.getName().startsWith(prefix))) {
      LOG.warn("found {} left by an interrupted run; it is not output and can be deleted", stale.getPath());
    }
    Path staging = new Path(parent, prefix + runId);
    if (!fs.mkdirs(staging)) {
      throw new IOException("cannot create staging directory " + staging);
    }
    return new StagedDirectory(fs, qualified, staging, overwrite, runId);
  }

  public Path path() {
    return staging;
  }

  public Path target() {
    return target;
  }

  /** Publishes the staging directory as the target; an existing target is replaced only with overwrite. */
  public void commit() throws IOException {
    Failpoints.hit("commit.before-rename");
    Path replaced = null;
    if (fs.exists(target)) {
      if (!overwrite) {
        throw new OutputExistsException("output " + target + " appeared while the job ran; nothing was replaced");
      }
      replaced = new Path(target.getParent(), "." + target.getName() + ".replaced-" + runId);
      rename(target, replaced);
    }
    rename(staging, target);
    committed = true;
    if (replaced != null) {
      fs.delete(replaced, true);
    }
  }

  private void rename(Path from, Path to) throws IOException {
    if (!fs.rename(from, to)) {
      throw new IOException("cannot rename " + from + " to " + to);
    }
  }

  /** Removes the staging directory unless committed. */
  @Override
  public void close() {
    if (!committed) {
      try {
        fs.delete(staging, true);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot remove staging directory " + staging, e);
      }
    }
  }

  /** The output directory exists and may not be replaced. */
  public static final class OutputExistsException extends IOException {
    private static final long serialVersionUID = 1L;

    public OutputExistsException(String message) {
      super(message);
    }
  }
}
