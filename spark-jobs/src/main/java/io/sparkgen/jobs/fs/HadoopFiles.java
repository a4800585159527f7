package io.sparkgen.jobs.fs;

import java.io.IOException;
import java.io.OutputStream;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;

/** Single files committed atomically on any Hadoop file system: write a hidden temporary, then rename. */
public final class HadoopFiles {

  private HadoopFiles() {}

  public static void write(FileSystem fs, Path target, byte[] bytes) throws IOException {
    Path tmp = temporary(target);
    try (OutputStream out = fs.create(tmp, true)) {
      out.write(bytes);
    }
    publish(fs, tmp, target);
  }

  private static Path temporary(Path target) {
    return new Path(target.getParent(), "." + target.getName() + ".tmp-" + Long.toHexString(System.nanoTime()));
  }

  /** Renames over the target in one step (HDFS and local disks: atomic), so readers see the old file or the new. */
  private static void publish(FileSystem fs, Path tmp, Path target) throws IOException {
    try {
      FileContext.getFileContext(fs.getUri(), fs.getConf()).rename(tmp, target, Options.Rename.OVERWRITE);
    } catch (IOException e) {
      fs.delete(tmp, false);
      throw new IOException("cannot rename " + tmp + " to " + target + ": " + e.getMessage(), e);
    }
  }
}
