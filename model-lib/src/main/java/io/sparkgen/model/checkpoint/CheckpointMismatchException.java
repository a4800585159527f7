package io.sparkgen.model.checkpoint;

/** A checkpoint that does not fit: another format version, family or architecture. */
public final class CheckpointMismatchException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  public CheckpointMismatchException(String message) {
    super(message);
  }
}
