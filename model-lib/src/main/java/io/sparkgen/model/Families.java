package io.sparkgen.model;

import io.sparkgen.model.diffusion.DiffusionFamily;
import io.sparkgen.model.flow.FlowFamily;
import io.sparkgen.model.gan.GanFamily;
import io.sparkgen.model.latentdiffusion.LatentDiffusionFamily;
import io.sparkgen.model.vae.VaeFamily;
import io.sparkgen.model.vaegan.VaeGanFamily;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/**
 * The registry of families, by id: the one place that lists them. Beside the four generators it
 * takes families that an optional module on the classpath declares in
 * {@code META-INF/services/io.sparkgen.model.Family} (bench-dl4j's baseline classifier); ids must be unique.
 */
public final class Families {

  private static final List<Family<?>> ALL = registry();

  private Families() {}

  @SuppressWarnings("rawtypes")
  private static List<Family<?>> registry() {
    List<Family<?>> all = new ArrayList<>(List.of(new VaeFamily(), new GanFamily(), new FlowFamily(), new DiffusionFamily(),
        new VaeGanFamily(), new LatentDiffusionFamily()));
    for (Family extra : ServiceLoader.load(Family.class, Families.class.getClassLoader())) {
      if (all.stream().anyMatch(f -> f.id().equals(extra.id()))) {
        throw new IllegalStateException("family id '" + extra.id() + "' of " + extra.getClass().getName() + " is taken");
      }
      all.add(extra);
    }
    return List.copyOf(all);
  }

  public static List<Family<?>> all() {
    return ALL;
  }

  public static Family<?> byId(String id) {
    return ALL.stream()
        .filter(f -> f.id().equals(id))
        .findFirst()
        .orElseThrow(
            () -> new IllegalArgumentException(
                "unknown family '" + id + "'; known: " + ALL.stream().map(Family::id).toList()));
  }
}
