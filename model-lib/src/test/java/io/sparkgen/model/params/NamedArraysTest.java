package io.sparkgen.model.params;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

class NamedArraysTest {

  @Test
  void flattensInNameOrderAndRestores() {
    NamedArrays a =
        NamedArrays.of(Map.of(
            "b", Nd4j.createFromArray(3f, 4f, 5f),
            "a", Nd4j.createFromArray(1f, 2f).reshape(1, 2)));
    assertEquals(List.of("a", "b"), List.copyOf(a.names()));
    assertArrayEquals(new float[] {1, 2, 3, 4, 5}, a.flatten());
    NamedArrays b = a.copy();
    b.get("a").assign(0);
    b.assignFlat(a.flatten());
    assertTrue(a.sameValues(b));
  }

  @Test
  void refusesMismatchedNamesAndLengthsByName() {
    NamedArrays a = NamedArrays.of(Map.of("w", Nd4j.zeros(2, 2)));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> a.assignFloats(Map.of("w", new float[3])));
    assertTrue(e.getMessage().contains("w"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> a.assignFloats(Map.of("v", new float[4])));
  }

  @Test
  void groupsByPrefix() {
    NamedArrays all =
        NamedArrays.concat(Map.of(
            "param", NamedArrays.of(Map.of("x", Nd4j.ones(1))),
            "ema", NamedArrays.of(Map.of("x", Nd4j.zeros(1)))));
    assertEquals(List.of("ema/x", "param/x"), List.copyOf(all.names()));
    assertEquals(1.0, all.group("param").get("x").getDouble(0));
  }
}
