package io.sparkgen.jobs.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgen.jobs.config.ConfigLoader;
import io.sparkgen.jobs.retrain.RegistryLock;
import io.sparkgen.jobs.shard.ShardManifest;
import io.sparkgen.jobs.testing.Fixtures;
import io.sparkgen.jobs.testing.Shards;
import io.sparkgen.jobs.testing.Shards.StoredImage;
import io.sparkgen.jobs.testing.TestSpark;
import io.sparkgen.jobs.train.TrainJob;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Jobs on a real HDFS (an in-process MiniDFSCluster on loopback): shard, train and resume, atomic files, the retrain lock. */
class HdfsRoundTripTest {

  @TempDir static Path tmp;
  private static MiniDFSCluster cluster;
  private static String hdfs;

  @BeforeAll
  static void startHdfs() throws Exception {
    Configuration conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, tmp.resolve("dfs").toString());
    cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
    cluster.waitActive();
    hdfs = "hdfs://127.0.0.1:" + cluster.getNameNodePort();
  }

  @AfterAll
  static void stopHdfs() {
    if (cluster != null) {
      cluster.shutdown();
    }
  }

  @Test
  void shardFromHdfsToHdfs() throws Exception {
    Path local = tmp.resolve("local");
    Fixtures.idx(local, "train", 200, 6, 6, true);
    FileSystem fs = cluster.getFileSystem();
    fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(local.toUri()), new org.apache.hadoop.fs.Path(hdfs + "/data/raw"));

    String out = hdfs + "/data/shards";
    ShardManifest m = Shards.run("input.format=idx", "input.paths=[\"" + hdfs + "/data/raw\"]", "output=" + out,
        "shards.train=2", "split.test-fraction=0.2");

    assertEquals(200, m.images());
    assertTrue(m.source().files().get(0).uri().startsWith(hdfs), m.source().files().get(0).uri());
    assertTrue(fs.exists(new org.apache.hadoop.fs.Path(out + "/manifest.json")));
    assertTrue(fs.exists(new org.apache.hadoop.fs.Path(out + "/config.conf")));
    assertFalse(fs.exists(new org.apache.hadoop.fs.Path(out + "/_parts")));
    Map<String, StoredImage> rows = Shards.read(out);
    assertEquals(200, rows.size());
    assertArrayEquals(Fixtures.pattern(123, 36), rows.get("train-images-idx3-ubyte#123").pixels());

    // The same data from local files gives the same shard set: storage does not enter the hash.
    ShardManifest fromLocal = Shards.run("input.format=idx", "input.paths=[\"" + local + "\"]",
        "output=" + tmp.resolve("local-out"), "shards.train=2", "split.test-fraction=0.2");
    assertEquals(fromLocal.shardSetSha256(), m.shardSetSha256());
    assertEquals(fromLocal.source().sha256(), m.source().sha256());
  }

  @Test
  void singleFilesAreReplacedInOneRenameOnHdfs() throws Exception {
    FileSystem fs = cluster.getFileSystem();
    org.apache.hadoop.fs.Path file = new org.apache.hadoop.fs.Path(hdfs + "/registry/current");
    HadoopFiles.write(fs, file, "1".getBytes(StandardCharsets.UTF_8));
    HadoopFiles.write(fs, file, "22".getBytes(StandardCharsets.UTF_8));
    try (var in = fs.open(file)) {
      assertEquals("22", new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
    assertEquals(1, fs.listStatus(file.getParent()).length, "no temporary file left");
  }

  @Test
  void theRetrainLockIsExclusiveAndRecoverableOnHdfs() throws Exception {
    FileSystem fs = cluster.getFileSystem();
    org.apache.hadoop.fs.Path lock = new org.apache.hadoop.fs.Path(hdfs + "/registry-lock/lock");
    Instant t0 = Instant.parse("2026-11-22T10:00:00Z");
    Duration stale = Duration.ofMinutes(10);
    var first = RegistryLock.acquire(fs, lock, stale,
        Clock.fixed(t0, ZoneOffset.UTC));
    assertThrows(RegistryLock.HeldException.class,
        () -> RegistryLock.acquire(fs, lock, stale,
            Clock.fixed(t0.plusSeconds(30), ZoneOffset.UTC)));
    var recovered = RegistryLock.acquire(fs, lock, stale,
        Clock.fixed(t0.plusSeconds(3600), ZoneOffset.UTC));
    assertThrows(RegistryLock.HeldException.class,
        first::heartbeat);
    recovered.close();
    assertFalse(fs.exists(lock));
  }

  @Test
  void trainingWritesItsRunDirectoryToHdfs() throws Exception {
    Path local = tmp.resolve("train-in");
    Fixtures.idx(local, "train", 40, 8, 8, false);
    String data = hdfs + "/train/shards";
    Shards.run("input.format=idx", "input.paths=[\"" + local + "\"]", "output=" + data, "shards.train=2",
        "split.test-fraction=0");
    String run = hdfs + "/train/run";
    List<String> sets = List.of("train.data=" + data, "train.run-dir=" + run,
        "train.model.family=vae", "train.model.config={latent-dim = 2, encoder-channels = [4, 4], "
            + "decoder-base-channels = 4, decoder-channels = [4, 4]}",
        "train.batch-size=4", "train.averaging-frequency=1", "train.total-images=16");
    new TrainJob(TestSpark.session(),
        ConfigLoader.load(List.of(), sets, Map.of())).run();
    FileSystem fs = cluster.getFileSystem();
    assertTrue(fs.exists(new org.apache.hadoop.fs.Path(run + "/checkpoints/ckpt-000000000002.zip")));
    assertTrue(fs.exists(new org.apache.hadoop.fs.Path(run + "/stats.csv")));
    assertTrue(fs.exists(new org.apache.hadoop.fs.Path(run + "/samples/samples-000000000002.png")));
    // Resuming reads the checkpoint back from HDFS.
    List<String> more = new ArrayList<>(sets);
    more.set(6, "train.total-images=32");
    more.add("train.resume=true");
    var state = new TrainJob(TestSpark.session(),
        ConfigLoader.load(List.of(), more, Map.of())).run();
    assertEquals(4, state.step());
  }
}
