package io.sparkgen.jobs.report;

import java.util.Base64;

/** HTML text and attribute escaping; every string from data or configs passes through {@link #escape}. */
public final class Html {

  private Html() {}

  /** Escapes {@code & < > " '} so the value is text in element content and in quoted attributes alike. */
  public static String escape(Object value) {
    String s = String.valueOf(value);
    StringBuilder out = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  /** A PNG as a data URI (base64 has no character that needs escaping in an attribute). */
  public static String pngDataUri(byte[] png) {
    return "data:image/png;base64," + Base64.getEncoder().encodeToString(png);
  }
}
