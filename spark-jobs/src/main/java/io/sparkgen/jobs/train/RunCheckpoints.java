package io.sparkgen.jobs.train;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The checkpoints of a run directory, {@code checkpoints/ckpt-<12-digit step>.zip}: complete files
 * only (each was committed by rename; hidden temporaries are not listed).
 */
public final class RunCheckpoints {

  private static final Pattern NAME = Pattern.compile("ckpt-(\\d{12})\\.zip");

  private RunCheckpoints() {}

  public static String name(long step) {
    return String.format("ckpt-%012d.zip", step);
  }

  public static Path path(Path runDir, long step) {
    return new Path(runDir, "checkpoints/" + name(step));
  }

  /** The step of a checkpoint file, or -1 when the name is not a checkpoint's. */
  public static long step(Path file) {
    Matcher m = NAME.matcher(file.getName());
    return m.matches() ? Long.parseLong(m.group(1)) : -1;
  }

  /** All checkpoints, oldest first; empty when there are none (or no run directory). */
  public static List<Path> all(FileSystem fs, Path runDir) throws IOException {
    Path dir = new Path(runDir, "checkpoints");
    List<Path> found = new ArrayList<>();
    if (fs.exists(dir)) {
      for (FileStatus f : fs.listStatus(dir)) {
        if (step(f.getPath()) >= 0) {
          found.add(f.getPath());
        }
      }
    }
    found.sort(Comparator.comparingLong(RunCheckpoints::step));
    return found;
  }

  /** The newest checkpoint, or null. */
  public static Path newest(FileSystem fs, Path runDir) throws IOException {
    List<Path> all = all(fs, runDir);
    return all.isEmpty() ? null : all.get(all.size() - 1);
  }

  /**
   * A checkpoint chosen by the user: {@code latest}, a step number, or a file path (with or without
   * a run directory). The error names what exists.
   */
  public static Path select(FileSystem fs, String runDir, String which) throws IOException {
    if (which.endsWith(".zip")) {
      Path file = fs.makeQualified(new Path(which));
      if (!fs.exists(file)) {
        throw new java.io.FileNotFoundException("checkpoint " + file + " does not exist");
      }
      return file;
    }
    if (runDir == null || runDir.isBlank()) {
      throw new IllegalArgumentException("checkpoint '" + which + "' needs a run directory, or give a checkpoint file");
    }
    Path run = fs.makeQualified(new Path(runDir));
    List<Path> all = all(fs, run);
    if (all.isEmpty()) {
      throw new java.io.FileNotFoundException("run directory " + run + " holds no checkpoint");
    }
    if (which.equals("latest")) {
      return all.get(all.size() - 1);
    }
    long step;
    try {
      step = Long.parseLong(which);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("checkpoint must be latest, a step number or a .zip file, got '" + which + "'");
    }
    return all.stream().filter(p -> step(p) == step).findFirst().orElseThrow(() -> new java.io.FileNotFoundException(
        "run directory " + run + " has no checkpoint at step " + step + "; steps: "
            + all.stream().map(p -> Long.toString(step(p))).toList()));
  }
}
