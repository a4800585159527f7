package io.sparkgen.jobs.shard;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

/**
 * The files of an input collection, found on the driver: each configured path is a file or a
 * directory searched recursively; hidden names ('.', '_') are skipped; files the format does not
 * read are kept apart as ignored.
 */
public record InputListing(List<SourceFile> files, List<String> ignored) {

  public static InputListing list(List<String> paths, Predicate<String> accepts, Configuration conf) throws IOException {
    List<SourceFile> files = new ArrayList<>();
    List<String> ignored = new ArrayList<>();
    for (String raw : paths) {
      Path path = new Path(raw);
      FileSystem fs = path.getFileSystem(conf);
      FileStatus status;
      try {
        status = fs.getFileStatus(path);
      } catch (FileNotFoundException e) {
        throw new FileNotFoundException("input path " + raw + " does not exist (shard.input.paths)");
      }
      Path root = fs.makeQualified(status.isDirectory() ? status.getPath() : status.getPath().getParent());
      if (status.isFile()) {
        add(fs.makeQualified(status.getPath()), status.getLen(), root, accepts, files, ignored);
        continue;
      }
      RemoteIterator<LocatedFileStatus> it = fs.listFiles(root, true);
      while (it.hasNext()) {
        LocatedFileStatus file = it.next();
        if (!hidden(root, file.getPath())) {
          add(fs.makeQualified(file.getPath()), file.getLen(), root, accepts, files, ignored);
        }
      }
    }
    files.sort(Comparator.comparing(SourceFile::name).thenComparing(SourceFile::uri));
    ignored.sort(null);
    return new InputListing(List.copyOf(files), List.copyOf(ignored));
  }

  public long totalBytes() {
    return files.stream().mapToLong(SourceFile::bytes).sum();
  }

  private static void add(Path file, long bytes, Path root, Predicate<String> accepts, List<SourceFile> files, List<String> ignored) {
    String name = relative(root, file);
    if (accepts.test(name)) {
      files.add(new SourceFile(file.toString(), name, bytes));
    } else {
      ignored.add(file.toString());
    }
  }

  private static boolean hidden(Path root, Path file) {
    for (String part : relative(root, file).split("/")) {
      if (part.startsWith(".") || part.startsWith("_")) {
        return true;
      }
    }
    return false;
  }

  static String relative(Path root, Path file) {
    String rootUri = root.toUri().getPath();
    String fileUri = file.toUri().getPath();
    String prefix = rootUri.endsWith("/") ? rootUri : rootUri + "/";
    return fileUri.startsWith(prefix) ? fileUri.substring(prefix.length()) : file.getName();
  }
}
