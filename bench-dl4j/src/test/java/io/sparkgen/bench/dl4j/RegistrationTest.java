package io.sparkgen.bench.dl4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkgen.jobs.bench.Benchmarks;
import io.sparkgen.model.Families;
import org.junit.jupiter.api.Test;

/** On the classpath, the module adds its family and its benchmark to sparkgen's registries, after the built-in ones. */
class RegistrationTest {

  @Test
  void theClassifierFamilyIsFoundById() {
    assertEquals(ClassifierFamily.class, Families.byId(ClassifierFamily.ID).getClass());
    assertEquals(ClassifierFamily.ID, Families.all().get(Families.all().size() - 1).id());
  }

  @Test
  void theBaselineIsABenchmarkOfSparkgenBench() {
    assertTrue(Benchmarks.DEFAULT.names().contains("dl4j-baseline"), Benchmarks.DEFAULT.names().toString());
    assertEquals("dl4j-baseline", Benchmarks.DEFAULT.names().get(Benchmarks.DEFAULT.names().size() - 1));
  }
}
