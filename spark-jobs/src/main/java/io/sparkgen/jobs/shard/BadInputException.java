package io.sparkgen.jobs.shard;

/** The input collection has bad items (or none at all); the message lists them by path and reason. */
public class BadInputException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public BadInputException(String message) {
    super(message);
  }
}
