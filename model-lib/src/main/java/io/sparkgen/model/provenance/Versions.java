package io.sparkgen.model.provenance;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/** The versions every artifact records: sparkgen's own and its stack's, as built, plus the running JVM. */
public final class Versions {

  private static final Map<String, String> BUILD = load();

  private Versions() {}

  /** sparkgen's version, e.g. {@code 0.1.0-SNAPSHOT}. */
  public static String sparkgen() {
    return BUILD.get("sparkgen");
  }

  /**
   * Build-time versions (sparkgen, dl4j, nd4j-backend, spark-build, scala-build) and the running
   * JVM (java, os); sorted by key so that it hashes and prints the same everywhere.
   */
  public static Map<String, String> all() {
    Map<String, String> all = new TreeMap<>(BUILD);
    all.put("java", System.getProperty("java.vendor") + " " + System.getProperty("java.version"));
    all.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
    return Collections.unmodifiableMap(all);
  }

  private static Map<String, String> load() {
    Properties properties = new Properties();
    try (InputStream in = Versions.class.getResourceAsStream("versions.properties")) {
      if (in == null) {
        throw new IllegalStateException("versions.properties is missing from the model-lib jar");
      }
      properties.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, String> map = new TreeMap<>();
    properties.stringPropertyNames().forEach(k -> map.put(k, properties.getProperty(k)));
    return Collections.unmodifiableMap(map);
  }
}
