package io.sparkgen.jobs.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgen.jobs.config.ConfigLoader;
import io.sparkgen.jobs.testing.Fixtures;
import io.sparkgen.jobs.testing.Shards;
import io.sparkgen.jobs.testing.TestSpark;
import io.sparkgen.jobs.train.AveragedState;
import io.sparkgen.jobs.train.TrainJob;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A dataset grown by appending shard sets: versions, shard numbering across parts, training on a version. */
class DataVersionTest {

  @TempDir static Path tmp;
  private static org.apache.hadoop.fs.Path root;

  @BeforeAll
  static void twoParts() throws Exception {
    Fixtures.idx(tmp.resolve("in-1"), "train", 40, 8, 8, false);
    Fixtures.idx(tmp.resolve("in-2"), "more", 24, 8, 8, false);
    Path dataset = tmp.resolve("dataset");
    root = new org.apache.hadoop.fs.Path(dataset.toString());
    Shards.run("input.format=idx", "input.paths=[\"" + tmp.resolve("in-1") + "\"]",
        "output=" + dataset.resolve("parts/part-000001"), "shards.train=2", "split.test-fraction=0.25");
    FileSystem fs = root.getFileSystem(TestSpark.session().sparkContext().hadoopConfiguration());
    assertEquals(1, DataVersion.append(fs, root, "parts/part-000001"));
    Shards.run("input.format=idx", "input.paths=[\"" + tmp.resolve("in-2") + "\"]",
        "output=" + dataset.resolve("parts/part-000002"), "shards.train=1", "split.test-fraction=0.25");
    assertEquals(2, DataVersion.append(fs, root, "parts/part-000002"));
  }

  private static DataVersion open(String uri) throws Exception {
    return DataVersion.open(uri, TestSpark.session().sparkContext().hadoopConfiguration());
  }

  @Test
  void versionsListTheirPartsAndNumberShardsAcrossThem() throws Exception {
    DataVersion newest = open(root.toString());
    DataVersion first = open(root + "/versions/v000001.json");
    assertEquals(2, newest.version());
    assertEquals(2, newest.parts().size());
    assertEquals(1, first.parts().size());
    assertEquals(64, newest.count(false) + newest.count(true));
    assertEquals(3, newest.shardCount(false));
    int[] indices = newest.load(JavaSparkContext.fromSparkContext(TestSpark.session().sparkContext()), false).map(ShardImages::index).collect().stream()
        .mapToInt(Integer::intValue).sorted().toArray();
    assertEquals("[0, 1, 2]", Arrays.toString(indices));
    assertNotEquals(first.sha256(), newest.sha256());
    assertEquals(newest.sha256(), open(root + "/versions/v000002.json").sha256(), "a version's identity is stable");
    DataVersion plain = open(root + "/parts/part-000001");
    assertEquals(plain.parts().get(0).manifest().shardSetSha256(), plain.sha256(), "a shard set keeps its own hash");
    assertEquals(4, newest.sourcesBySha256().size(), "both parts' image and label files are known");
  }

  @Test
  void trainingReadsEveryPartAndAppendingAPartTwiceIsRefused() throws Exception {
    AveragedState state = new TrainJob(TestSpark.session(), ConfigLoader.load(List.of(), List.of(
        "train.data=" + root, "train.run-dir=" + tmp.resolve("run"), "train.model.family=vae",
        "train.model.config={latent-dim = 2, encoder-channels = [4, 4], decoder-base-channels = 4, "
            + "decoder-channels = [4, 4]}",
        "train.batch-size=4", "train.averaging-frequency=1", "train.total-images=24"), Map.of())).run();
    assertEquals(2, state.step(), "3 workers x 1 step x batch 4 = 12 images a round: 2 rounds for 24");
    FileSystem fs = root.getFileSystem(TestSpark.session().sparkContext().hadoopConfiguration());
    IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
        () -> DataVersion.append(fs, root, "parts/part-000002"));
    assertTrue(twice.getMessage().contains("already holds part parts/part-000002"), twice.getMessage());
  }

  @Test
  void onlyFilesTheDatasetDoesNotHoldAreSharded() throws Exception {
    // The collection grew: the first batch's files again, plus new ones.
    Path grown = tmp.resolve("grown");
    Fixtures.idx(grown, "train", 40, 8, 8, false);
    Fixtures.idx(grown, "extra", 12, 8, 8, false);
    ShardManifest appended = Shards.run("input.format=idx", "input.paths=[\"" + grown + "\"]",
        "output=" + tmp.resolve("appended"), "split.test-fraction=0", "skip-files-in=" + root);
    assertEquals(12, appended.images());
    assertEquals(List.of("extra-images-idx3-ubyte", "extra-labels-idx1-ubyte"),
        appended.source().files().stream().map(ShardManifest.SourceDigest::name).sorted().toList());

    Path same = tmp.resolve("same");
    Fixtures.idx(same, "train", 40, 8, 8, false);
    ShardJob.NothingNewException nothing = assertThrows(ShardJob.NothingNewException.class,
        () -> Shards.run("input.format=idx", "input.paths=[\"" + same + "\"]", "output=" + tmp.resolve("nothing"),
            "skip-files-in=" + root));
    assertTrue(nothing.getMessage().startsWith("no new input: all 2 files"), nothing.getMessage());
  }
}
