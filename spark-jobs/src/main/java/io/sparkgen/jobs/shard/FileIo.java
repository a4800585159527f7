package io.sparkgen.jobs.shard;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/** Opening input files on executors. */
final class FileIo {

  private FileIo() {}

  /** Opens a file, decompressing it when its name ends in .gz. */
  static InputStream open(String uri, Configuration conf) throws IOException {
    Path path = new Path(uri);
    InputStream in = new BufferedInputStream(path.getFileSystem(conf).open(path), 1 << 16);
    return uri.endsWith(".gz") ? new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16) : in;
  }

  static byte[] readAll(String uri, Configuration conf) throws IOException {
    try (InputStream in = open(uri, conf)) {
      return in.readAllBytes();
    }
  }

  /** Reads exactly {@code buffer.length} bytes, or returns how many were there before the end. */
  static int readFully(InputStream in, byte[] buffer) throws IOException {
    int read = 0;
    while (read < buffer.length) {
      int n = in.read(buffer, read, buffer.length - read);
      if (n < 0) {
        break;
      }
      read += n;
    }
    return read;
  }
}
