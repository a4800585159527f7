package io.sparkgen.jobs.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.UUID;

/**
 * Where reports go: {@code <out>/<UTC timestamp>.md} and {@code <out>/results.csv}. Both are written
 * to a temp file beside the target and renamed, so a reader (or a killed run) never sees half a file.
 */
public final class ReportFiles {

  public static final String CSV = "results.csv";

  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
      .withZone(ZoneOffset.UTC);

  private ReportFiles() {}

  /** The run id and report name: the UTC time, e.g. {@code 20260101T120000Z}. */
  public static String runId(Instant now) {
    return STAMP.format(now);
  }

  /** Fails before any benchmark runs if {@code --out} is unusable or its CSV has other columns. */
  public static void checkOutput(Path out, List<String> header) throws IOException {
    if (Files.exists(out) && !Files.isDirectory(out)) {
      throw new IllegalArgumentException("--out " + out + ": exists and is not a directory");
    }
    Path csv = out.resolve(CSV);
    if (Files.exists(csv) && Files.size(csv) > 0) {
      String existing;
      try (var lines = Files.lines(csv, StandardCharsets.UTF_8)) {
        existing = lines.findFirst().orElse("");
      }
      String expected = Tables.csvLine(header);
      if (!existing.equals(expected)) {
        String[] have = existing.split(",", -1);
        int k = 0;
        while (k < have.length && k < header.size() && have[k].equals(header.get(k))) {
          k++;
        }
        throw new IllegalArgumentException(csv + " has other columns than this version writes: column " + (k + 1)
            + " is '" + (k < have.length ? have[k] : "") + "' there, '" + (k < header.size() ? header.get(k) : "")
            + "' here; move it aside or pass another --out");
      }
    }
  }

  /** Writes the report under a name not yet taken; returns its path. */
  public static Path writeReport(Path out, String runId, String markdown) throws IOException {
    Files.createDirectories(out);
    Path target = out.resolve(runId + ".md");
    for (int k = 2; Files.exists(target); k++) {
      target = out.resolve(runId + "-" + k + ".md");
    }
    writeAtomically(target, markdown.getBytes(StandardCharsets.UTF_8));
    return target;
  }

  /** Appends rows to {@code results.csv} (header first if new), replacing the file atomically. */
  public static Path appendCsv(Path out, List<String> header, List<String> rows) throws IOException {
    Files.createDirectories(out);
    checkOutput(out, header);
    Path csv = out.resolve(CSV);
    StringBuilder text = new StringBuilder();
    if (Files.exists(csv) && Files.size(csv) > 0) {
      String existing = Files.readString(csv, StandardCharsets.UTF_8);
      text.append(existing);
      if (!existing.endsWith("\n")) {
        text.append('\n');
      }
    } else {
      text.append(Tables.csvLine(header)).append('\n');
    }
    rows.forEach(r -> text.append(r).append('\n'));
    writeAtomically(csv, text.toString().getBytes(StandardCharsets.UTF_8));
    return csv;
  }

  /** Temp file in the same directory, then one rename (atomic on POSIX file systems). */
  static void writeAtomically(Path target, byte[] bytes) throws IOException {
    Path tmp = target.toAbsolutePath().resolveSibling(
        "." + target.getFileName() + "." + UUID.randomUUID().toString().substring(0, 8) + ".tmp");
    try {
      Files.write(tmp, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
