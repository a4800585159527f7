package io.sparkgen.jobs.fs;

/**
 * Named crash points for the atomic-commit tests: with {@code -Dsparkgen.failpoint=NAME} the JVM
 * halts at that point as if killed with SIGKILL (no shutdown hooks, no cleanup). Unset in
 * production, where {@link #hit} is a property read.
 */
public final class Failpoints {

  private Failpoints() {}

  public static void hit(String name) {
    if (name.equals(System.getProperty("sparkgen.failpoint"))) {
      System.err.println("sparkgen: failpoint " + name + " hit, halting");
      Runtime.getRuntime().halt(137);
    }
  }
}
