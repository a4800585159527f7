package io.sparkgen.jobs.config;

/** Validation inside config records' compact constructors; the binder adds the full key and its origin. */
public final class Check {

  private Check() {}

  /** Fails with "= value message" for {@code field} (the kebab-case key) unless {@code ok}. */
  public static void that(boolean ok, String field, Object value, String message) {
    if (!ok) {
      throw new InvalidField(field, "= " + render(value) + " " + message);
    }
  }

  private static String render(Object value) {
    return value instanceof String s ? "\"" + s + "\"" : String.valueOf(value);
  }

  /** A field's value is out of its domain. */
  public static final class InvalidField extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final String field;

    InvalidField(String field, String message) {
      super(message);
      this.field = field;
    }

    public String field() {
      return field;
    }

    @Override
    public String getMessage() {
      return super.getMessage();
    }

    @Override
    public String toString() {
      return field + " " + super.getMessage();
    }
  }
}
