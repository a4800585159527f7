package io.sparkgen.jobs.image;

/** An input that is not a usable image; the message is the reason shown next to its path. */
public final class BadImageException extends Exception {
  private static final long serialVersionUID = 1L;

  public BadImageException(String reason) {
    super(reason);
  }

  public BadImageException(String reason, Throwable cause) {
    super(reason, cause);
  }
}
