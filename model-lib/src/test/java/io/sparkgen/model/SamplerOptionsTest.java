package io.sparkgen.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SamplerOptionsTest {

  @Test
  void readsTypedValuesWithFallbacks() {
    SamplerOptions o = SamplerOptions.of(Map.of("steps", "20", "eta", "0.5", "sampler", "ddim"));
    assertEquals(20, o.integer("steps", 1));
    assertEquals(0.5, o.number("eta", 1.0));
    assertEquals("ddim", o.string("sampler", "ddpm"));
    assertEquals(7, o.integer("missing", 7));
  }

  @Test
  void unknownKeyAndBadNumberAreNamed() {
    SamplerOptions o = SamplerOptions.of(Map.of("temprature", "0.7"));
    var e = assertThrows(IllegalArgumentException.class, () -> o.requireKnown("flow", Set.of("temperature")));
    assertTrue(e.getMessage().contains("'temprature'") && e.getMessage().contains("[temperature]"), e.getMessage());
    var bad = assertThrows(
        IllegalArgumentException.class, () -> SamplerOptions.of(Map.of("steps", "x")).integer("steps", 1));
    assertTrue(bad.getMessage().contains("steps") && bad.getMessage().contains("'x'"), bad.getMessage());
  }
}
