package io.sparkgen.jobs.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Mean and spread over repeats, against hand-computed values. */
class SummaryTest {

  private static Measurement m(double value, String detail) {
    return new Measurement("rate", value, "images/s", detail);
  }

  @Test
  void meanSampleSdMinMaxAndLastDetail() {
    Summary s = Summary.of("b", List.of(m(2, "first"), m(4, "second"), m(6, "third")));
    assertEquals(3, s.n());
    assertEquals(4.0, s.mean(), 1e-12);
    assertEquals(2.0, s.sd(), 1e-12); // sqrt(((2-4)^2 + 0 + (6-4)^2) / (3 - 1))
    assertEquals(2.0, s.min());
    assertEquals(6.0, s.max());
    assertEquals(50.0, s.relativeSdPercent(), 1e-12);
    assertEquals("third", s.detail());
    assertEquals("images/s", s.unit());
    assertEquals("b", s.benchmark());
  }

  @Test
  void oneRepeatHasNoSpread() {
    Summary s = Summary.of("b", List.of(m(5, "")));
    assertEquals(5.0, s.mean());
    assertTrue(Double.isNaN(s.sd()));
    assertTrue(Double.isNaN(s.relativeSdPercent()));
  }

  @Test
  void unitsMustAgree() {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> Summary.of("b", List.of(m(1, ""), new Measurement("rate", 1, "s", ""))));
    assertEquals("b reported 'rate' in images/s and in s", e.getMessage());
  }

  @Test
  void measurementsMustBeFiniteAndNamed() {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> new Measurement("rate", Double.POSITIVE_INFINITY, "images/s", "0 s"));
    assertEquals("measurement 'rate' is Infinity images/s: not a finite number (0 s)", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new Measurement(" ", 1, "s", ""));
    assertThrows(IllegalArgumentException.class, () -> new Measurement("x", 1, "", ""));
  }
}
