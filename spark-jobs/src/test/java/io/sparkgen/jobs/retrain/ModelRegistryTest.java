package io.sparkgen.jobs.retrain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelRegistryTest {

  @TempDir Path tmp;

  private ModelRegistry registry() throws IOException {
    return new ModelRegistry(FileSystem.getLocal(new Configuration()),
        new org.apache.hadoop.fs.Path(tmp.resolve("registry").toString()));
  }

  @Test
  void versionsAreNumberedAndOnlyAPromotedOneIsCurrent() throws Exception {
    ModelRegistry registry = registry();
    assertEquals(List.of(), registry.versions());
    assertEquals(OptionalInt.empty(), registry.current());

    int first = registry.add("model one".getBytes(StandardCharsets.UTF_8), Map.of("run", "runs/a", "fid", 30.5));
    registry.promote(first);
    int second = registry.add("model two".getBytes(StandardCharsets.UTF_8), Map.of("run", "runs/b"));
    assertEquals(List.of(1, 2), registry.versions());
    assertEquals(OptionalInt.of(1), registry.current(), "adding a version does not promote it");
    assertEquals(2, registry.describe(second).get("version"));
    assertEquals(30.5, registry.describe(first).get("fid"));
    assertArrayEquals("model two".getBytes(StandardCharsets.UTF_8),
        Files.readAllBytes(tmp.resolve("registry/versions/v000002/checkpoint.zip")));

    registry.recordDecision(List.of("2026-11-22T10:00:00Z", "runs/b, retry", "fid", "29.0", "30.5", "1.0", "false", "",
        "improved by 1.5 < margin \"2.0\""));
    List<String> decisions = Files.readAllLines(tmp.resolve("registry/decisions.csv"));
    assertEquals(ModelRegistry.DECISIONS_HEADER, decisions.get(0));
    assertEquals("2026-11-22T10:00:00Z,\"runs/b, retry\",fid,29.0,30.5,1.0,false,,\"improved by 1.5 < margin \"\"2.0\"\"\"",
        decisions.get(1));
  }

  @Test
  void aMissingVersionCannotBePromotedAndABrokenPointerIsNamed() throws Exception {
    ModelRegistry registry = registry();
    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> registry.promote(3));
    assertTrue(missing.getMessage().contains("no such version"), missing.getMessage());
    Files.createDirectories(tmp.resolve("registry"));
    Files.writeString(tmp.resolve("registry/current"), "{\"version\": 7}");
    IOException broken = assertThrows(IOException.class, registry::current);
    assertTrue(broken.getMessage().contains("names version 7, which the registry does not hold"), broken.getMessage());
  }
}
