package io.sparkgen.jobs.eval;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Feature matrices in NumPy .npy files, or the real-data statistics files evaluate caches, on any
 * Hadoop file system; errors name the file.
 */
public final class FeatureFiles {

  private FeatureFiles() {}

  /** Features with their float64 moments, and what they are. */
  public record FeatureSet(INDArray features, io.sparkgen.model.metrics.FeatureMoments moments, String description) {}

  /**
   * A feature .npy (moments computed here), or an evaluate statistics cache file {@code real-*.zip}
   * (its stored moments, so that FID equals the one evaluate reported).
   */
  public static FeatureSet readSet(String uri, Configuration conf) throws IOException {
    if (uri.endsWith(".zip")) {
      Path path = new Path(uri);
      byte[] bytes;
      try (InputStream in = path.getFileSystem(conf).open(path)) {
        bytes = in.readAllBytes();
      } catch (FileNotFoundException e) {
        throw new FileNotFoundException("statistics file " + uri + " does not exist");
      }
      RealStats stats = RealStats.read(bytes, uri);
      return new FeatureSet(stats.features(), stats.moments(), "cached statistics " + stats.identity());
    }
    INDArray features = read(uri, conf);
    return new FeatureSet(features, io.sparkgen.model.metrics.FeatureMoments.of(features), uri);
  }

  /** A [n, d] float matrix. */
  public static INDArray read(String uri, Configuration conf) throws IOException {
    Path path = new Path(uri);
    FileSystem fs = path.getFileSystem(conf);
    byte[] bytes;
    try (InputStream in = fs.open(path)) {
      bytes = in.readAllBytes();
    } catch (FileNotFoundException e) {
      throw new FileNotFoundException("feature file " + uri + " does not exist");
    }
    INDArray features;
    try {
      features = Nd4j.createNpyFromByteArray(bytes);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(uri + " is not a readable .npy array: " + e.getMessage(), e);
    }
    if (features.rank() != 2 || !features.dataType().isFPType()) {
      throw new IllegalArgumentException(uri + " holds a " + features.dataType() + " array of shape "
          + Arrays.toString(features.shape()) + "; features must be a float [n, d] matrix");
    }
    return features;
  }
}
