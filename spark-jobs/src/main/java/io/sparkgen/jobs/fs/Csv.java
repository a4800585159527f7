package io.sparkgen.jobs.fs;

import java.util.List;

/** RFC 4180 cells: a value with a comma, quote or line break is quoted, quotes doubled. */
public final class Csv {

  private Csv() {}

  public static String cell(Object value) {
    String s = String.valueOf(value);
    if (s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r")) {
      return "\"" + s.replace("\"", "\"\"") + "\"";
    }
    return s;
  }

  /** One line, without its line break. */
  public static String row(List<?> values) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < values.size(); i++) {
      out.append(i == 0 ? "" : ",").append(cell(values.get(i)));
    }
    return out.toString();
  }
}
