package io.sparkgen.jobs.config;

/** A configuration the user wrote is wrong; the message names the key, its value and where it came from. */
public final class ConfigError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ConfigError(String message) {
    super(message);
  }

  public ConfigError(String message, Throwable cause) {
    super(message, cause);
  }
}
