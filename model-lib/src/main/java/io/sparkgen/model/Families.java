package io.sparkgen.model;

import io.sparkgen.model.diffusion.DiffusionFamily;
import io.sparkgen.model.flow.FlowFamily;
import io.sparkgen.model.gan.GanFamily;
import io.sparkgen.model.vae.VaeFamily;
import java.util.List;

/** The registry of families, by id: the one place that lists them. */
public final class Families {

  private static final List<Family<?>> ALL = List.of(new VaeFamily(), new GanFamily(), new FlowFamily(), new DiffusionFamily());

  private Families() {}

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
