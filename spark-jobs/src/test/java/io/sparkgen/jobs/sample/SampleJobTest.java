package io.sparkgen.jobs.sample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sparkgen.jobs.config.ConfigLoader;
import io.sparkgen.jobs.fs.StagedDirectory;
import io.sparkgen.jobs.image.ImageCodec;
import io.sparkgen.jobs.image.ImageGrid;
import io.sparkgen.jobs.image.RawImage;
import io.sparkgen.jobs.testing.TestSpark;
import io.sparkgen.jobs.train.RunCheckpoints;
import io.sparkgen.model.Families;
import io.sparkgen.model.GenerativeModel;
import io.sparkgen.model.ModelConfig;
import io.sparkgen.model.SampleRequest;
import io.sparkgen.model.checkpoint.Checkpoint;
import io.sparkgen.model.config.Configs;
import io.sparkgen.model.train.ImageDataset;
import io.sparkgen.model.train.LocalTrainer;
import io.sparkgen.model.train.TrainConfig;
import java.io.FileNotFoundException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;

/** sparkgen sample on a tiny class-conditional VAE checkpoint: formats, partition invariance, provenance, errors. */
class SampleJobTest {

  @TempDir static Path tmp;
  private static Path run;
  private static Checkpoint checkpoint;

  @BeforeAll
  static void checkpoint() throws Exception {
    ModelConfig config = Families.byId("vae").readConfig(Configs.MAPPER.readTree(
        "{\"image\": {\"channels\": 1, \"height\": 8, \"width\": 8}, \"numClasses\": 3, \"latentDim\": 2,"
            + " \"labelEmbeddingDim\": 2, \"encoderChannels\": [4, 4], \"decoderBaseChannels\": 4,"
            + " \"decoderChannels\": [4, 4]}"));
    GenerativeModel model = Families.byId("vae").createFrom(config, 5L);
    ImageDataset data = ImageDataset.of(Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 6, 1, 8, 8).muli(2).subi(1),
        new int[] {0, 1, 2, 0, 1, 2});
    LocalTrainer trainer = new LocalTrainer(model, new TrainConfig(5L, 3, 100, 10), data);
    trainer.step();
    trainer.step();
    run = tmp.resolve("run");
    Path file = Path.of(RunCheckpoints.path(new org.apache.hadoop.fs.Path(run.toString()), 2).toUri().getPath());
    Checkpoint.save(trainer, file);
    checkpoint = Checkpoint.read(file);
  }

  private static Path sample(String output, String... extra) throws Exception {
    List<String> sets = new ArrayList<>(List.of("sample.run=" + run, "sample.output=" + tmp.resolve(output),
        "sample.count=7", "sample.seed=11", "sample.batch-size=2"));
    sets.addAll(List.of(extra));
    org.apache.hadoop.fs.Path out = new SampleJob(TestSpark.session(), ConfigLoader.load(List.of(), sets, Map.of())).run();
    return Path.of(out.toUri().getPath());
  }

  @Test
  void pngImagesAreTheModelsSamplesWhateverThePartitioning() throws Exception {
    Path one = sample("png-1", "sample.format=png", "sample.partitions=1");
    Path three = sample("png-3", "sample.format=png", "sample.partitions=3");
    List<RawImage> expected = ImageGrid.fromModelOutput(checkpoint.model().sampler()
        .sample(checkpoint.ema(), new SampleRequest(11L, 0, 7, new int[] {0, 1, 2, 0, 1, 2, 0})));
    for (int i = 0; i < 7; i++) {
      byte[] a = Files.readAllBytes(one.resolve(SampleJob.pngName(i)));
      assertArrayEquals(a, Files.readAllBytes(three.resolve(SampleJob.pngName(i))), "image " + i);
      assertArrayEquals(expected.get(i).pixels(), ImageCodec.decode(a).pixels(), "image " + i);
    }
    assertArrayEquals(new int[] {0, 1, 2, 0, 1, 2, 0}, readInt32Npy(one.resolve("labels.npy")));
    JsonNode provenance = Configs.MAPPER.readTree(one.resolve("sample.json").toFile());
    assertEquals(2, provenance.get("step").asLong());
    assertEquals(11, provenance.get("seed").asLong());
    assertEquals(checkpoint.metadata().provenance().configHash(),
        provenance.get("checkpointProvenance").get("configHash").asText());
    assertEquals(64, provenance.get("provenance").get("configHash").asText().length());
  }

  @Test
  void npyHoldsTheSameImagesAsPngAndLiveWeightsDiffer() throws Exception {
    Path png = sample("png-ref", "sample.format=png");
    Path npy = sample("npy", "sample.format=npy");
    byte[] file = Files.readAllBytes(npy.resolve("images.npy"));
    int headerLength = (file[8] & 0xff) | (file[9] & 0xff) << 8;
    String header = new String(file, 10, headerLength, StandardCharsets.US_ASCII);
    assertTrue(header.contains("'descr': '|u1'") && header.contains("'shape': (7, 8, 8, 1)"), header);
    assertEquals(0, (10 + headerLength) % 64, "numpy aligns the data to 64 bytes");
    for (int i = 0; i < 7; i++) {
      byte[] pixels = Arrays.copyOfRange(file, 10 + headerLength + i * 64, 10 + headerLength + (i + 1) * 64);
      assertArrayEquals(ImageCodec.decode(Files.readAllBytes(png.resolve(SampleJob.pngName(i)))).pixels(), pixels);
    }
    Path live = sample("npy-live", "sample.format=npy", "sample.weights=live");
    assertTrue(!Arrays.equals(file, Files.readAllBytes(live.resolve("images.npy"))), "EMA and live weights differ");
  }

  @Test
  void gridTilesOneColumnPerClass() throws Exception {
    RawImage grid = ImageCodec.decode(Files.readAllBytes(
        sample("grid", "sample.format=grid", "sample.count=4").resolve("grid.png")));
    assertEquals("22x32x1", grid.shape()); // 4 images of 8x8 in 3 columns (2 rows), 2-pixel padding
  }

  @Test
  void badRequestsNameWhatIsWrong() throws Exception {
    FileNotFoundException step = assertThrows(FileNotFoundException.class,
        () -> sample("missing", "sample.checkpoint=5"));
    assertTrue(step.getMessage().contains("no checkpoint at step 5; steps: [2]"), step.getMessage());
    Exception option = assertThrows(Exception.class, () -> sample("bad-option", "sample.options={temprature=\"1\"}"));
    assertTrue(rootMessage(option).contains("unknown sampler option 'temprature' for vae"), rootMessage(option));
    assertTrue(!Files.exists(tmp.resolve("bad-option")), "nothing is committed when sampling fails");
    IllegalArgumentException label = assertThrows(IllegalArgumentException.class,
        () -> sample("bad-label", "sample.class-label=3"));
    assertTrue(label.getMessage().contains("class label 3 outside [0, 3)"), label.getMessage());
    sample("exists", "sample.format=grid");
    assertThrows(StagedDirectory.OutputExistsException.class, () -> sample("exists", "sample.format=grid"));
  }

  private static String rootMessage(Throwable t) {
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage();
  }

  private static int[] readInt32Npy(Path file) throws Exception {
    byte[] bytes = Files.readAllBytes(file);
    int headerLength = (bytes[8] & 0xff) | (bytes[9] & 0xff) << 8;
    ByteBuffer data = ByteBuffer.wrap(bytes, 10 + headerLength, bytes.length - 10 - headerLength)
        .order(ByteOrder.LITTLE_ENDIAN);
    int[] values = new int[data.remaining() / 4];
    data.asIntBuffer().get(values);
    return values;
  }
}
