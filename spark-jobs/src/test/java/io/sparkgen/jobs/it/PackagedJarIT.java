package io.sparkgen.jobs.it;

import static io.sparkgen.jobs.testing.Scripts.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgen.jobs.shard.ShardManifest;
import io.sparkgen.jobs.testing.Fixtures;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fat jar as users run it: through bin/sparkgen on the embedded default, and through
 * deploy/spark-submit.sh (Spark's SparkSubmit, the app jar on its own class loader). Catches
 * shading mistakes (services, relocations) and scripts that name a wrong class or jar.
 */
class PackagedJarIT {

  @TempDir Path tmp;

  @Test
  void binSparkgenShards() throws Exception {
    Fixtures.idx(tmp.resolve("in"), "train", 300, 10, 10, true);
    Path out = tmp.resolve("out");
    Object[] r = run("bin/sparkgen", "shard", "--input", tmp.resolve("in").toString(), "--output", out.toString());
    assertEquals(0, r[0], (String) r[1]);
    assertTrue(((String) r[1]).contains("sharded 300 images"), (String) r[1]);
    assertTrue(((String) r[1]).contains("[shard 3/7] decode: 300 images, 0 bad"), (String) r[1]);
    try (InputStream in = Files.newInputStream(out.resolve("manifest.json"))) {
      assertEquals(300, ShardManifest.read(in).images());
    }
    Object[] version = run("bin/sparkgen", "--version");
    assertEquals(0, version[0], (String) version[1]);
    assertTrue(((String) version[1]).contains("nd4j-backend: nd4j-native 1.0.0-M2.1"), (String) version[1]);
  }

  @Test
  void binSparkgenTrainsATinyModelFromTheFatJar() throws Exception {
    // ND4J's backend and ops are found through META-INF/services, which shading must merge.
    Fixtures.idx(tmp.resolve("in"), "train", 64, 8, 8, true);
    Path shards = tmp.resolve("shards");
    assertEquals(0, run("bin/sparkgen", "shard", "--input", tmp.resolve("in").toString(), "--output", shards.toString(),
        "--train-shards", "2", "--test-fraction", "0")[0]);
    Path runDir = tmp.resolve("run");
    Object[] r = run("bin/sparkgen", "train", "--model", "gan", "--data", shards.toString(), "--run-dir", runDir.toString(),
        "--batch-size", "4", "--averaging-frequency", "1", "--total-images", "16",
        "--set", "train.model.config={noise-dim = 4, kernel-size = 3, generator-channels = [8, 4, 4], "
            + "discriminator-channels = [4, 8]}");
    assertEquals(0, r[0], (String) r[1]);
    assertTrue(((String) r[1]).contains("trained to step 2"), (String) r[1]);
    assertTrue(Files.isRegularFile(runDir.resolve("checkpoints/ckpt-000000000002.zip")));
    assertTrue(Files.isRegularFile(runDir.resolve("samples/samples-000000000002.png")));

    Path samples = tmp.resolve("samples");
    Object[] sampled = run("bin/sparkgen", "sample", "--run", runDir.toString(), "-n", "10", "--format", "png",
        "--out", samples.toString());
    assertEquals(0, sampled[0], (String) sampled[1]);
    assertTrue(((String) sampled[1]).contains("samples written to "), (String) sampled[1]);
    assertTrue(Files.isRegularFile(samples.resolve("000000009.png")));
    assertTrue(Files.isRegularFile(samples.resolve("sample.json")));
  }

  @Test
  void sparkSubmitRunsTheFatJar() throws Exception {
    Fixtures.pngFolder(tmp.resolve("in"), 40, 9, 9, 3);
    Path out = tmp.resolve("out");
    Object[] r = run("deploy/spark-submit.sh", "--master", "local[2]", "--conf", "spark.ui.enabled=false", "--",
        "shard", "--format", "image-folder", "--input", tmp.resolve("in").toString(), "--output", out.toString(),
        "--channels", "grayscale");
    assertEquals(0, r[0], (String) r[1]);
    try (InputStream in = Files.newInputStream(out.resolve("manifest.json"))) {
      ShardManifest m = ShardManifest.read(in);
      assertEquals(40, m.images());
      assertEquals(1, m.shape().channels());
      assertEquals("3.5.9", m.provenance().versions().get("spark"));
    }
    Object[] usage = run("deploy/spark-submit.sh", "--master", "local[2]");
    assertEquals(2, usage[0]);
  }
}
