package io.sparkgen.jobs.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgen.jobs.testing.Fixtures;
import io.sparkgen.jobs.testing.Shards;
import io.sparkgen.jobs.testing.Shards.StoredImage;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The train/test split is a pure function of the image id: deterministic, and stable when data is appended. */
class SplitTest {

  @TempDir Path tmp;

  @Test
  void assignerIsDeterministicAndMatchesTheFraction() {
    SplitAssigner a = new SplitAssigner(0.2, "salt", 4, 2);
    SplitAssigner b = new SplitAssigner(0.2, "salt", 4, 2);
    int n = 20_000;
    int test = 0;
    int[] perShard = new int[6];
    for (int i = 0; i < n; i++) {
      String id = "img-" + i;
      int p = a.partition(id);
      assertEquals(p, b.partition(id));
      test += a.isTest(p) ? 1 : 0;
      perShard[p]++;
    }
    // Binomial(20000, 0.2): sd = 56.6; 5 sd either side.
    assertEquals(0.2 * n, test, 5 * Math.sqrt(n * 0.2 * 0.8));
    for (int s = 0; s < 4; s++) {
      assertEquals(n * 0.8 / 4, perShard[s], 5 * Math.sqrt(n * 0.8 / 4));
    }
    // Another salt draws another split.
    SplitAssigner other = new SplitAssigner(0.2, "other", 4, 2);
    int moved = 0;
    for (int i = 0; i < 1000; i++) {
      moved += a.isTest(a.partition("img-" + i)) != other.isTest(other.partition("img-" + i)) ? 1 : 0;
    }
    assertNotEquals(0, moved);
  }

  @Test
  void rerunGivesTheSameShardsAndAppendingKeepsEveryImageInItsSplit() {
    Path data = tmp.resolve("folder");
    Fixtures.pngFolder(data, 120, 6, 6, 1);
    ShardManifest first = Shards.run("input.format=image-folder", "input.paths=[\"" + data + "\"]",
        "output=" + tmp.resolve("a"), "split.test-fraction=0.3", "shards.train=2", "shards.test=1");
    ShardManifest again = Shards.run("input.format=image-folder", "input.paths=[\"" + data + "\"]",
        "output=" + tmp.resolve("b"), "split.test-fraction=0.3", "shards.train=2", "shards.test=1");
    assertEquals(first.shardSetSha256(), again.shardSetSha256());
    assertEquals(first.train().shards(), again.train().shards().stream()
        .map(s -> new ShardManifest.Shard(s.index(), s.file(), s.count(), s.bytes(), s.sha256())).toList());

    // Append 80 more images (new ids) and shard again.
    for (int i = 120; i < 200; i++) {
      Fixtures.png(data.resolve("extra").resolve("img-" + i + ".png"), Fixtures.image(i, 6, 6, 1));
    }
    ShardManifest appended = Shards.run("input.format=image-folder", "input.paths=[\"" + data + "\"]",
        "output=" + tmp.resolve("c"), "split.test-fraction=0.3", "shards.train=2", "shards.test=1");
    assertEquals(200, appended.images());

    Map<String, StoredImage> before = Shards.read(tmp.resolve("a").toString());
    Map<String, StoredImage> after = Shards.read(tmp.resolve("c").toString());
    for (StoredImage image : before.values()) {
      assertEquals(image.test(), after.get(image.id()).test(), image.id() + " changed split after an append");
    }
    long oldTest = before.values().stream().filter(StoredImage::test).count();
    assertTrue(oldTest > 0 && oldTest < 120);
  }
}
