package io.sparkgen.jobs.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgen.jobs.shard.ShardManifest;
import io.sparkgen.jobs.testing.Fixtures;
import io.sparkgen.jobs.testing.Shards;
import io.sparkgen.jobs.testing.Shards.StoredImage;
import java.nio.file.Path;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shard job reads from and commits to a real HDFS (an in-process MiniDFSCluster on loopback). */
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
}
