package io.sparkgen.jobs.cli;

import io.sparkgen.model.provenance.Versions;
import java.util.Map;
import picocli.CommandLine;

/** {@code sparkgen --version}: sparkgen and the stack it was built with, and the running JVM. */
public final class VersionProvider implements CommandLine.IVersionProvider {
  @Override
  public String[] getVersion() {
    Map<String, String> versions = Versions.all();
    return versions.entrySet().stream()
        .map(e -> (e.getKey().equals("sparkgen") ? "sparkgen " : "  " + e.getKey() + ": ") + e.getValue())
        .sorted((a, b) -> a.startsWith("sparkgen") ? -1 : b.startsWith("sparkgen") ? 1 : a.compareTo(b))
        .toArray(String[]::new);
  }
}
