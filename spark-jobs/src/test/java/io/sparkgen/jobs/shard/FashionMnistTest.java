package io.sparkgen.jobs.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sparkgen.jobs.config.ConfigLoader;
import io.sparkgen.jobs.config.ResolvedConfig;
import io.sparkgen.jobs.testing.TestSpark;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real Fashion-MNIST from the Debian package (installed by .ci/run) through conf/fashion-mnist.conf:
 * counts against the published totals (60 000 + 10 000, 7 000 per class) and the published
 * pixel statistics (mean 0.2860, std 0.3530 over the training images).
 */
class FashionMnistTest {

  private static final Path DATA = Path.of("/usr/share/datasets/fashion-mnist");

  @TempDir Path tmp;

  @Test
  void shardsTheWholeDatasetWithKnownTotals() throws Exception {
    assumeTrue(Files.isDirectory(DATA), "dataset-fashion-mnist is not installed (.ci/run installs it)");
    File conf = Path.of(System.getProperty("maven.multiModuleProjectDirectory", ".."), "conf", "fashion-mnist.conf").toFile();
    if (!conf.isFile()) {
      conf = Path.of("..", "conf", "fashion-mnist.conf").toFile();
    }
    ResolvedConfig config = ConfigLoader.load(List.of(conf), List.of("shard.output=" + tmp.resolve("fm")), Map.of());
    ShardManifest m = new ShardJob(TestSpark.session(), config).run();

    assertEquals(70_000, m.images());
    assertEquals(4, m.source().fileCount());
    assertEquals(10, m.classNames().size());
    assertEquals("Ankle boot", m.classNames().get(9));
    Map<Integer, Long> perClass = new TreeMap<>();
    m.train().labelHistogram().forEach((k, v) -> perClass.merge(k, v, Long::sum));
    m.test().labelHistogram().forEach((k, v) -> perClass.merge(k, v, Long::sum));
    for (int c = 0; c < 10; c++) {
      assertEquals(7_000L, perClass.get(c), "class " + c);
    }
    // Hash split at 1/7: about 10 000 test images (binomial sd ~ 93).
    assertEquals(10_000, m.test().count(), 500);
    assertEquals(0.2860, m.train().channelMean()[0], 0.002);
    assertEquals(0.3530, m.train().channelStd()[0], 0.002);
  }
}
