package io.sparkgen.jobs.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Axis maths: nice numbers, rounded-out ranges, log decades, positions and labels. */
class TicksTest {

  @Test
  void niceNumbersAreOneTwoFiveTimesAPowerOfTen() {
    assertEquals(1.0, Ticks.niceNumber(1.2, true), 0);
    assertEquals(2.0, Ticks.niceNumber(2.9, true), 0);
    assertEquals(5.0, Ticks.niceNumber(3.0, true), 0);
    assertEquals(10.0, Ticks.niceNumber(7.5, true), 0);
    assertEquals(0.02, Ticks.niceNumber(0.017, true), 1e-15);
    assertEquals(5000.0, Ticks.niceNumber(4100, false), 0);
    assertEquals(2.0, Ticks.niceNumber(1.01, false), 0);
  }

  @Test
  void linearAxisRoundsOutToTicks() {
    Ticks t = Ticks.linear(3, 97, 6);
    // range 94 -> nice 100; step 100/5 = 20 -> nice 20.
    assertEquals(List.of(0.0, 20.0, 40.0, 60.0, 80.0, 100.0), t.ticks());
    assertEquals(0.0, t.min(), 0);
    assertEquals(100.0, t.max(), 0);
    assertEquals(0.5, t.fraction(50), 1e-12);
    Ticks small = Ticks.linear(0.1, 0.3, 6);
    assertEquals(List.of(0.1, 0.15, 0.2, 0.25, 0.3), small.ticks(), "no float noise such as 0.30000000000000004");
    Ticks negative = Ticks.linear(-7, 12, 5);
    assertEquals(List.of(-10.0, -5.0, 0.0, 5.0, 10.0, 15.0), negative.ticks());
  }

  @Test
  void aSingleValueGetsARangeAroundIt() {
    Ticks t = Ticks.linear(5, 5, 6);
    assertTrue(t.min() < 5 && t.max() > 5, t.toString());
    Ticks zero = Ticks.linear(0, 0, 6);
    assertTrue(zero.min() <= -1 && zero.max() >= 1, zero.toString());
  }

  @Test
  void logAxisSpansDecades() {
    Ticks wide = Ticks.log(0.03, 450);
    assertEquals(List.of(0.01, 0.1, 1.0, 10.0, 100.0, 1000.0), wide.ticks());
    assertEquals(0.4, wide.fraction(1), 1e-12);
    assertEquals(0.6, wide.fraction(10), 1e-12);
    Ticks narrow = Ticks.log(2, 3);
    assertEquals(List.of(1.0, 2.0, 5.0, 10.0), narrow.ticks(), "one decade: 2 and 5 inside");
    assertThrows(IllegalArgumentException.class, () -> Ticks.log(0, 10));
    assertThrows(IllegalArgumentException.class, () -> Ticks.linear(2, 1, 5));
    assertThrows(IllegalArgumentException.class, () -> Ticks.linear(0, Double.NaN, 5));
  }

  @Test
  void labelsArePlainOrScientific() {
    assertEquals("0", Ticks.label(0));
    assertEquals("0.25", Ticks.label(0.25));
    assertEquals("40000", Ticks.label(40000));
    assertEquals("1.5e6", Ticks.label(1_500_000));
    assertEquals("2e-5", Ticks.label(0.00002));
    assertEquals("-3", Ticks.label(-3));
  }
}
