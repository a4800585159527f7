package io.sparkgen.jobs.fs;

import java.io.IOException;
import java.io.OutputStream;
import org.apache.hadoop.fs.FileSystem;
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

  private static void publish(FileSystem fs, Path tmp, Path target) throws IOException {
    if (fs.exists(target) && !fs.delete(target, false)) {
      fs.delete(tmp, false);
      throw new IOException("cannot replace " + target);
    }
    if (!fs.rename(tmp, target)) {
      fs.delete(tmp, false);
      throw new IOException("cannot rename " + tmp + " to " + target);
    }
  }
}
