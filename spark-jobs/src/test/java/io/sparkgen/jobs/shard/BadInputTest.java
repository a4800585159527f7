package io.sparkgen.jobs.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgen.jobs.image.ImageCodec;
import io.sparkgen.jobs.testing.Fixtures;
import io.sparkgen.jobs.testing.Shards;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each bad-input case is reported with its path and reason; fail mode writes nothing, skip mode
 * writes the good images and counts the bad ones in the manifest.
 */
class BadInputTest {

  @TempDir Path tmp;

  /** 10 good 8x8 gray PNGs plus one bad file made by {@code bad}. */
  private Path folderWith(String badName, byte[] badBytes) {
    Path dir = tmp.resolve("in");
    Fixtures.pngFolder(dir, 10, 8, 8, 1);
    Fixtures.write(dir.resolve(badName), badBytes, false);
    return dir;
  }

  private static byte[] png(int h, int w, int c) {
    return ImageCodec.encodePng(Fixtures.image(99, h, w, c));
  }

  @Test
  void truncatedPng() throws IOException {
    byte[] whole = png(8, 8, 1);
    check(folderWith("c0/cut.png", Arrays.copyOf(whole, whole.length / 2)), "c0/cut.png", "truncated PNG", "truncated PNG");
  }

  @Test
  void truncatedJpeg() throws IOException {
    java.io.ByteArrayOutputStream jpeg = new java.io.ByteArrayOutputStream();
    javax.imageio.ImageIO.write(ImageCodec.toBufferedImage(Fixtures.image(5, 8, 8, 3)), "jpg", jpeg);
    byte[] bytes = jpeg.toByteArray();
    check(folderWith("c0/cut.jpg", Arrays.copyOf(bytes, bytes.length - 40)), "c0/cut.jpg", "truncated JPEG", "truncated JPEG");
  }

  @Test
  void nonImageFile() throws IOException {
    check(folderWith("c1/notes.png", "just text".getBytes()), "c1/notes.png", "not a PNG or JPEG image",
        "not a PNG or JPEG image (9 bytes)");
  }

  @Test
  void wrongSizeWhenResizeIsOff() throws IOException {
    check(folderWith("c2/big.png", png(9, 8, 1)), "c2/big.png", "wrong size: 9x8", "wrong size");
  }

  @Test
  void wrongSizeAgainstAConfiguredSize() throws IOException {
    Path dir = folderWith("c2/big.png", png(9, 8, 1));
    BadInputException e = assertThrows(BadInputException.class, () -> Shards.run("input.format=image-folder",
        "input.paths=[\"" + dir + "\"]", "output=" + tmp.resolve("out"), "image.height=8", "image.width=8"));
    assertTrue(e.getMessage().contains("c2/big.png: wrong size: 9x8, expected 8x8 (image.resize = none)"), e.getMessage());
  }

  @Test
  void mixedChannelCount() throws IOException {
    check(folderWith("c3/colour.png", png(8, 8, 3)), "c3/colour.png", "mixed channel count: 3 channels", "mixed channel count");
  }

  @Test
  void truncatedIdxKeepsTheCompleteImagesInSkipMode() throws IOException {
    Path dir = tmp.resolve("idx");
    Fixtures.idx(dir, "train", 20, 4, 4, false);
    Path images = dir.resolve("train-images-idx3-ubyte");
    byte[] bytes = Files.readAllBytes(images);
    Files.write(images, Arrays.copyOf(bytes, bytes.length - 20));
    Files.write(dir.resolve("train-labels-idx1-ubyte"), Arrays.copyOf(Files.readAllBytes(dir.resolve("train-labels-idx1-ubyte")), 8 + 20));

    BadInputException e = assertThrows(BadInputException.class, () -> Shards.run("input.format=idx",
        "input.paths=[\"" + dir + "\"]", "output=" + tmp.resolve("fail")));
    assertTrue(e.getMessage().contains("train-images-idx3-ubyte#18: truncated: the file ends inside image 18 of 20"),
        e.getMessage());
    assertNothingWritten(tmp.resolve("fail"));

    ShardManifest m = Shards.run("input.format=idx", "input.paths=[\"" + dir + "\"]", "output=" + tmp.resolve("skip"),
        "on-bad-input=skip");
    assertEquals(18, m.images());
    assertEquals(1, m.badInput().skipped());
    assertEquals(Map.of("truncated", 1L), m.badInput().byReason());
  }

  @Test
  void repeatedIdsKeepOneCopyOfTheSameImageAndNoneOfConflictingOnes() throws IOException {
    org.apache.spark.sql.types.StructType schema = new org.apache.spark.sql.types.StructType()
        .add("image", org.apache.spark.sql.types.DataTypes.BinaryType)
        .add("label", org.apache.spark.sql.types.DataTypes.IntegerType)
        .add("id", org.apache.spark.sql.types.DataTypes.StringType);
    List<org.apache.spark.sql.Row> rows = new java.util.ArrayList<>();
    for (int i = 0; i < 10; i++) {
      rows.add(org.apache.spark.sql.RowFactory.create(ImageCodec.encodePng(Fixtures.image(i, 4, 4, 1)), i, "id-" + i));
    }
    rows.add(rows.get(1)); // the same image again under its id
    rows.add(org.apache.spark.sql.RowFactory.create(ImageCodec.encodePng(Fixtures.image(7, 4, 4, 1)), 2, "id-2"));
    io.sparkgen.jobs.testing.TestSpark.session().createDataFrame(rows, schema).repartition(3)
        .write().parquet(tmp.resolve("pq").toString());
    String[] args = {"input.format=parquet", "input.paths=[\"" + tmp.resolve("pq") + "\"]", "input.parquet.id=id"};

    BadInputException e = assertThrows(BadInputException.class,
        () -> Shards.run(args[0], args[1], args[2], "output=" + tmp.resolve("fail")));
    assertTrue(e.getMessage().contains("id-2: duplicate id: different images share this id"), e.getMessage());
    assertTrue(e.getMessage().contains("id-1: duplicate: the same image appears more than once"), e.getMessage());
    assertNothingWritten(tmp.resolve("fail"));

    ShardManifest m = Shards.run(args[0], args[1], args[2], "output=" + tmp.resolve("skip"), "on-bad-input=skip");
    // 12 rows: id-1 twice (one kept), id-2 twice with different pixels (both dropped).
    assertEquals(9, m.images());
    assertEquals(Map.of("duplicate", 1L, "duplicate id", 2L), m.badInput().byReason());
    assertEquals(3, m.badInput().skipped());
    java.util.Set<String> ids = Shards.read(tmp.resolve("skip").toString()).keySet();
    assertTrue(ids.contains("id-1") && !ids.contains("id-2"), ids.toString());
  }

  @Test
  void emptyInputFailsInBothModes() throws IOException {
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    for (String mode : List.of("fail", "skip")) {
      BadInputException e = assertThrows(BadInputException.class, () -> Shards.run("input.format=image-folder",
          "input.paths=[\"" + empty + "\"]", "output=" + tmp.resolve("out"), "on-bad-input=" + mode));
      assertTrue(e.getMessage().startsWith("empty input: no image-folder files under [" + empty), e.getMessage());
    }
    // Files there, but none decodes.
    Fixtures.write(empty.resolve("a.png"), "x".getBytes(), false);
    BadInputException e = assertThrows(BadInputException.class, () -> Shards.run("input.format=image-folder",
        "input.paths=[\"" + empty + "\"]", "output=" + tmp.resolve("out"), "on-bad-input=skip"));
    assertTrue(e.getMessage().contains("holds a usable image") && e.getMessage().contains("a.png: not a PNG or JPEG"),
        e.getMessage());
    assertNothingWritten(tmp.resolve("out"));
  }

  @Test
  void missingInputPathIsNamed() {
    Path missing = tmp.resolve("nowhere");
    java.io.FileNotFoundException e = assertThrows(java.io.FileNotFoundException.class, () -> new ShardJob(
        io.sparkgen.jobs.testing.TestSpark.session(), io.sparkgen.jobs.config.ConfigLoader.load(List.of(),
            List.of("shard.input.paths=[\"" + missing + "\"]", "shard.output=" + tmp.resolve("o")), Map.of())).run());
    assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
  }

  /** fail: BadInputException naming path and reason, nothing written; skip: 10 good images, 1 counted. */
  private void check(Path dir, String badName, String failMessage, String category) throws IOException {
    BadInputException e = assertThrows(BadInputException.class, () -> Shards.run("input.format=image-folder",
        "input.paths=[\"" + dir + "\"]", "output=" + tmp.resolve("fail")));
    assertTrue(e.getMessage().contains(badName), e.getMessage());
    assertTrue(e.getMessage().contains(failMessage), e.getMessage());
    assertTrue(e.getMessage().startsWith("1 bad inputs"), e.getMessage());
    assertNothingWritten(tmp.resolve("fail"));

    ShardManifest m = Shards.run("input.format=image-folder", "input.paths=[\"" + dir + "\"]",
        "output=" + tmp.resolve("skip"), "on-bad-input=skip");
    assertEquals(10, m.images());
    assertEquals(1, m.badInput().skipped());
    assertEquals("skip", m.badInput().policy());
    assertEquals(1L, m.badInput().byReason().get(category), m.badInput().byReason().toString());
    assertEquals(1, m.badInput().examples().size());
    assertTrue(m.badInput().examples().get(0).where().endsWith(badName));
    assertEquals(10, Shards.read(tmp.resolve("skip").toString()).size());
  }

  /** Neither the output nor a staging directory is left behind. */
  static void assertNothingWritten(Path output) throws IOException {
    assertFalse(Files.exists(output), output + " must not exist");
    try (Stream<Path> siblings = Files.list(output.getParent())) {
      assertEquals(List.of(), siblings.map(p -> p.getFileName().toString())
          .filter(n -> n.startsWith("." + output.getFileName() + ".staging")).toList());
    }
  }
}
