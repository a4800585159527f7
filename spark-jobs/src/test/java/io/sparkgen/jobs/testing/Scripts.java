package io.sparkgen.jobs.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the repository's scripts (bin/, deploy/) as users do, for the integration tests. */
public final class Scripts {

  /** The repository root: failsafe passes it as sparkgen.root; tests run from spark-jobs/ otherwise. */
  public static final Path ROOT = Path.of(System.getProperty("sparkgen.root", "..")).toAbsolutePath().normalize();

  private Scripts() {}

  /** Starts {@code bash command...} in the repository root, output to {@code log}; does not wait. */
  public static Process start(Path log, String... command) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("bash"));
    cmd.addAll(List.of(command));
    return new ProcessBuilder(cmd).directory(ROOT.toFile()).redirectErrorStream(true).redirectOutput(log.toFile())
        .start();
  }

  /** Runs {@code bash command...} in the repository root; returns {exit code, stdout and stderr}. */
  public static Object[] run(String... command) throws IOException, InterruptedException {
    return run(java.util.Map.of(), command);
  }

  /** {@link #run(String...)} with {@code env} added to the environment. */
  public static Object[] run(java.util.Map<String, String> env, String... command)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("bash"));
    cmd.addAll(List.of(command));
    ProcessBuilder builder = new ProcessBuilder(cmd).directory(ROOT.toFile()).redirectErrorStream(true);
    builder.environment().putAll(env);
    Process p = builder.start();
    String out;
    try (InputStream in = p.getInputStream()) {
      out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertTrue(p.waitFor(300, TimeUnit.SECONDS), "timed out: " + String.join(" ", command));
    return new Object[] {p.exitValue(), out};
  }
}
