package io.sparkgen.jobs.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The registry: names, selection with --only, -P parameters and the --list text. */
class BenchmarksTest {

  static Benchmark fake(String name, Benchmark.Parameter... params) {
    return new Benchmark() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public String description() {
        return "fake " + name;
      }

      @Override
      public List<Parameter> parameters() {
        return List.of(params);
      }

      @Override
      public List<Measurement> run(BenchContext context) {
        return List.of(new Measurement("x", 1, "s", ""));
      }
    };
  }

  @Test
  void defaultRegistryHasTheInitialBenchmarks() {
    assertEquals(List.of("nd4j-sgemm", "image-codec", "shard-fashion-mnist", "train-step", "pytorch-train-step",
        "train-scaling", "feature-extraction", "frechet"), Benchmarks.DEFAULT.names());
  }

  @Test
  void namesMustBeUniqueAndKebabCase() {
    IllegalArgumentException dup = assertThrows(IllegalArgumentException.class,
        () -> new Benchmarks(List.of(fake("a"), fake("a"))));
    assertTrue(dup.getMessage().startsWith("benchmark name 'a' is registered twice"), dup.getMessage());
    IllegalArgumentException camel = assertThrows(IllegalArgumentException.class,
        () -> new Benchmarks(List.of(fake("fooBar"))));
    assertTrue(camel.getMessage().startsWith("benchmark name 'fooBar'"), camel.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new Benchmark.Parameter("Bad_Name", "", ""));
  }

  @Test
  void onlySelectsInTheGivenOrderAndNamesUnknownOnes() {
    Benchmarks registry = new Benchmarks(List.of(fake("a"), fake("b"), fake("c")));
    assertEquals(List.of("a", "b", "c"), registry.select(List.of()).stream().map(Benchmark::name).toList());
    assertEquals(List.of("c", "a"), registry.select(List.of("c", " a", "c")).stream().map(Benchmark::name).toList());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> registry.select(List.of("d")));
    assertEquals("--only d: no such benchmark; known: a, b, c", e.getMessage());
  }

  @Test
  void parametersFillDefaultsAndRejectUnknownNames() {
    Benchmarks registry = new Benchmarks(List.of(fake("a", new Benchmark.Parameter("size", "8", "")), fake("b")));
    assertEquals(Map.of("a", Map.of("size", "8"), "b", Map.of()), registry.parameters(Map.of()));
    assertEquals(Map.of("size", "16"), registry.parameters(Map.of("a.size", "16")).get("a"));
    assertEquals("-P a.sise=1: a has no parameter 'sise'; it has: size",
        assertThrows(IllegalArgumentException.class, () -> registry.parameters(Map.of("a.sise", "1"))).getMessage());
    assertEquals("-P b.x=1: b has no parameter 'x' (it takes none)",
        assertThrows(IllegalArgumentException.class, () -> registry.parameters(Map.of("b.x", "1"))).getMessage());
    assertEquals("-P z.x=1: no benchmark 'z'; known: a, b",
        assertThrows(IllegalArgumentException.class, () -> registry.parameters(Map.of("z.x", "1"))).getMessage());
    assertTrue(assertThrows(IllegalArgumentException.class, () -> registry.parameters(Map.of("size", "1")))
        .getMessage().startsWith("-P size=1: must be BENCHMARK.PARAMETER=VALUE"));
  }

  @Test
  void listShowsNamesDescriptionsAndParameters() {
    Benchmarks registry = new Benchmarks(List.of(fake("a", new Benchmark.Parameter("size", "8", "how big")),
        fake("longer")));
    assertEquals("a       fake a\n" + "          -P a.size=8  how big\n" + "longer  fake longer\n",
        registry.describe().replace(System.lineSeparator(), "\n"));
  }
}
