package io.sparkgen.jobs.bench;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Markdown (GitHub) tables and CSV (RFC 4180) lines, with the escaping each needs, and the two number
 * formats: four significant figures for people, seven for the CSV.
 */
public final class Tables {

  private Tables() {}

  /** A GitHub Markdown table; {@code numeric} columns are right-aligned. */
  public static String markdown(List<String> header, List<Boolean> numeric, List<List<String>> rows) {
    if (numeric.size() != header.size()) {
      throw new IllegalArgumentException("alignment for " + numeric.size() + " columns, header has " + header.size());
    }
    StringBuilder out = new StringBuilder();
    out.append(row(header));
    out.append(numeric.stream().map(n -> n ? "---:" : "---").collect(Collectors.joining(" | ", "| ", " |\n")));
    for (List<String> r : rows) {
      if (r.size() != header.size()) {
        throw new IllegalArgumentException("row has " + r.size() + " cells, header has " + header.size() + ": " + r);
      }
      out.append(row(r));
    }
    return out.toString();
  }

  private static String row(List<String> cells) {
    return cells.stream().map(Tables::cell).collect(Collectors.joining(" | ", "| ", " |\n"));
  }

  /** One Markdown table cell: pipes and backslashes escaped, line breaks as spaces, no raw HTML. */
  public static String cell(String text) {
    if (text == null) {
      return "";
    }
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;")
        .replace("\r\n", " ").replace('\n', ' ').replace('\r', ' ');
  }

  /** One CSV line (no line terminator); fields with a comma, quote or line break are quoted. */
  public static String csvLine(List<String> fields) {
    return fields.stream().map(Tables::csvField).collect(Collectors.joining(","));
  }

  public static String csvField(String text) {
    if (text == null) {
      return "";
    }
    if (text.indexOf(',') >= 0 || text.indexOf('"') >= 0 || text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0) {
      return '"' + text.replace("\"", "\"\"") + '"';
    }
    return text;
  }

  /** For people: four significant figures, no exponent below 10^9; NaN as an en dash. */
  public static String number(double value) {
    if (!Double.isFinite(value)) {
      return "–";
    }
    double abs = Math.abs(value);
    if (abs >= 1e9) {
      return String.format(Locale.ROOT, "%.3e", value);
    } else if (abs >= 1000) {
      return String.format(Locale.ROOT, "%.0f", value);
    } else if (abs >= 100) {
      return String.format(Locale.ROOT, "%.1f", value);
    } else if (abs >= 10) {
      return String.format(Locale.ROOT, "%.2f", value);
    } else if (abs >= 1 || abs == 0) {
      return String.format(Locale.ROOT, "%.3f", value);
    }
    return BigDecimal.valueOf(value).round(new MathContext(4)).stripTrailingZeros().toPlainString();
  }

  /** For the CSV: seven significant figures, plain notation; NaN as an empty field. */
  public static String csvNumber(double value) {
    if (!Double.isFinite(value)) {
      return "";
    }
    return BigDecimal.valueOf(value).round(new MathContext(7)).stripTrailingZeros().toPlainString();
  }
}
