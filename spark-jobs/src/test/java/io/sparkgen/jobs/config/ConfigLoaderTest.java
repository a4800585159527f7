package io.sparkgen.jobs.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgen.jobs.image.ChannelMode;
import io.sparkgen.jobs.shard.OnBadInput;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Layering, unknown keys, validation messages and the render/parse round trip. */
class ConfigLoaderTest {

  @TempDir Path tmp;

  private File file(String name, String text) throws IOException {
    Path path = tmp.resolve(name);
    Files.writeString(path, text);
    return path.toFile();
  }

  @Test
  void defaultsComeFromCode() {
    ResolvedConfig resolved = ConfigLoader.load(List.of(), List.of(), Map.of());
    assertEquals(SparkgenConfig.defaults(), resolved.config());
  }

  @Test
  void laterLayersWin() throws IOException {
    File a = file("a.conf", "seed = 1\nshard { output = \"from-a\", on-bad-input = skip }\n");
    File b = file("b.conf", "shard.output = \"from-b\"\n");
    Map<String, String> options = new LinkedHashMap<>();
    options.put("--channels", "shard.image.channels=rgb");
    ResolvedConfig resolved = ConfigLoader.load(List.of(a, b), List.of("seed=7"), options);
    SparkgenConfig c = resolved.config();
    assertEquals(7, c.seed());
    assertEquals("from-b", c.shard().output());
    assertEquals(OnBadInput.SKIP, c.shard().onBadInput());
    assertEquals(ChannelMode.RGB, c.shard().image().channels());
    assertNotEquals(ConfigLoader.load(List.of(), List.of(), Map.of()).hash(), resolved.hash());
  }

  @Test
  void unknownKeyNamesTheKeyTheFileAndTheLine() throws IOException {
    File f = file("typo.conf", "shard {\n  output = \"x\"\n  splt { test-fraction = 0.2 }\n}\n");
    ConfigError e = assertThrows(ConfigError.class, () -> ConfigLoader.load(List.of(f), List.of(), Map.of()));
    assertTrue(e.getMessage().startsWith("unknown config key 'shard.splt' (" + f.getPath() + ":3)"), e.getMessage());
    assertTrue(e.getMessage().contains("did you mean 'split'?"), e.getMessage());
  }

  @Test
  void unknownKeyFromTheCommandLineSaysSo() {
    ConfigError e = assertThrows(ConfigError.class,
        () -> ConfigLoader.load(List.of(), List.of("shard.image.colour=rgb"), Map.of()));
    assertTrue(e.getMessage().startsWith("unknown config key 'shard.image.colour' (command line --set shard.image.colour=rgb)"),
        e.getMessage());
  }

  @Test
  void badValuesNameKeyValueAndOrigin() throws IOException {
    File f = file("bad.conf", "shard.split.test-fraction = 1.5\n");
    ConfigError range = assertThrows(ConfigError.class, () -> ConfigLoader.load(List.of(f), List.of(), Map.of()));
    assertEquals("config key 'shard.split.test-fraction' = 1.5 must be in [0, 1) (" + f.getPath() + ":1)", range.getMessage());

    ConfigError choice = assertThrows(ConfigError.class,
        () -> ConfigLoader.load(List.of(), List.of("shard.on-bad-input=ignore"), Map.of()));
    assertEquals("config key 'shard.on-bad-input' = 'ignore' is not one of: fail, skip", choice.getMessage());

    ConfigError type = assertThrows(ConfigError.class,
        () -> ConfigLoader.load(List.of(), List.of("shard.shards.train=many"), Map.of()));
    assertTrue(type.getMessage().startsWith("config key 'shard.shards.train':"), type.getMessage());

    ConfigError missing = assertThrows(ConfigError.class,
        () -> ConfigLoader.load(List.of(new File(tmp.toFile(), "none.conf")), List.of(), Map.of()));
    assertTrue(missing.getMessage().contains("none.conf does not exist"), missing.getMessage());
  }

  @Test
  void renderedConfigParsesBackToTheSameHash() throws IOException {
    ResolvedConfig original = ConfigLoader.load(List.of(), List.of("seed=3", "shard.input.class-names=[\"a\",\"b\"]",
        "spark.conf={\"spark.sql.shuffle.partitions\"=\"8\"}", "shard.image.resize=center-crop", "shard.image.height=4",
        "shard.image.width=4", "train.model.config={latent-dim = 3, encoder-channels = [4, 4], optimizer {lr = 0.5}}"), Map.of());
    File rendered = file("resolved.conf", original.render());
    ResolvedConfig reparsed = ConfigLoader.load(List.of(rendered), List.of(), Map.of());
    assertEquals(original.config(), reparsed.config());
    assertEquals(original.hash(), reparsed.hash());
    assertEquals(Map.of("spark.sql.shuffle.partitions", "8"), reparsed.config().spark().conf());
  }
}
