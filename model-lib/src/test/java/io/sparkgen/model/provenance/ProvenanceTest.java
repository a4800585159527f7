package io.sparkgen.model.provenance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProvenanceTest {

  @Test
  void sha256MatchesTheFips180Vector() {
    assertEquals(
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", Hashes.sha256Hex("abc"));
  }

  @Test
  void canonicalHashIgnoresMapInsertionOrder() {
    Map<String, Object> a = new LinkedHashMap<>();
    a.put("b", 1);
    a.put("a", Map.of("y", 2, "x", 3));
    Map<String, Object> b = new LinkedHashMap<>();
    b.put("a", Map.of("x", 3, "y", 2));
    b.put("b", 1);
    assertEquals("{\"a\":{\"x\":3,\"y\":2},\"b\":1}", Hashes.canonicalJson(a));
    assertEquals(Hashes.canonicalHash(a), Hashes.canonicalHash(b));
  }

  @Test
  void inputsAreWrittenOnlyWhereThereAreAnyAndReadBack() throws Exception {
    var mapper = io.sparkgen.model.config.Configs.MAPPER;
    Provenance plain = new Provenance("c", "d", "", 1L, Map.of("java", "17"), "2026-01-01T00:00:00Z");
    String json = mapper.writeValueAsString(plain);
    assertTrue(!json.contains("inputs"), json);
    assertEquals(plain, mapper.readValue(json, Provenance.class));
    Provenance built = plain.withInputs(Map.of("autoencoder", "runs/vae/checkpoints/ckpt-1.zip sha256:ab"));
    assertEquals(built, mapper.readValue(mapper.writeValueAsString(built), Provenance.class));
    assertEquals(Map.of(), plain.inputs());
  }

  @Test
  void versionsAreFilteredAtBuildTime() {
    Map<String, String> versions = Versions.all();
    assertEquals("1.0.0-M2.1", versions.get("dl4j"));
    assertTrue(versions.get("java").contains(System.getProperty("java.version")));
    versions.values().forEach(v -> assertTrue(!v.contains("${"), "unfiltered: " + v));
  }

  @Test
  void modelLibHasNoSparkOnItsClasspath() {
    assertThrows(ClassNotFoundException.class, () -> Class.forName("org.apache.spark.SparkContext"));
    assertThrows(ClassNotFoundException.class, () -> Class.forName("scala.Predef"));
  }
}
