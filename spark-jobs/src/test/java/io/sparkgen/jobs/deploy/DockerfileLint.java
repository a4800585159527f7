package io.sparkgen.jobs.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The checks a Dockerfile can fail without a Docker daemon: every COPY source exists in the build
 * context (or is the build's own output, named here) and is let through the Dockerfile's .dockerignore,
 * the ENTRYPOINT is a copied executable script, the image does not run as root. Also maps paths in the
 * image back to the files they were copied from.
 */
final class DockerfileLint {

  private static final Pattern ARG = Pattern.compile("^ARG\\s+([A-Za-z_][A-Za-z0-9_]*)(?:=(\\S+))?$");

  /** Image path (a file, or a directory ending in /) to its source, relative to the build context. */
  final Map<String, String> copies = new LinkedHashMap<>();
  final List<String> problems = new ArrayList<>();
  String from;

  /**
   * Lints {@code dockerfile} with build context {@code context}; {@code buildOutputs} are context paths
   * the build makes (the fat jar) and may be absent when tests run before packaging.
   */
  static DockerfileLint check(Path dockerfile, Path context, List<String> buildOutputs) throws IOException {
    DockerfileLint lint = new DockerfileLint();
    Map<String, String> args = new LinkedHashMap<>();
    List<String> included = dockerignoreIncludes(Path.of(dockerfile + ".dockerignore"));
    String user = "root";
    String entrypoint = null;
    for (String line : instructions(Files.readString(dockerfile))) {
      String[] words = line.split("\\s+", 2);
      String op = words[0].toUpperCase(java.util.Locale.ROOT);
      String rest = words.length > 1 ? words[1] : "";
      Matcher arg = ARG.matcher(line);
      if (arg.matches()) {
        args.put(arg.group(1), arg.group(2));
      } else if (op.equals("FROM")) {
        lint.from = substitute(rest.split("\\s+")[0], args);
      } else if (op.equals("COPY") || op.equals("ADD")) {
        List<String> tokens = new ArrayList<>();
        for (String t : rest.split("\\s+")) {
          if (!t.startsWith("--")) {
            tokens.add(t);
          } else if (t.startsWith("--from")) {
            tokens.clear();
            break; // from another stage: not the context
          }
        }
        if (tokens.size() < 2) {
          continue;
        }
        String dest = tokens.get(tokens.size() - 1);
        List<String> sources = tokens.subList(0, tokens.size() - 1);
        for (String source : sources) {
          String clean = source.replaceAll("/+$", "");
          Path path = context.resolve(clean);
          if (!Files.exists(path) && !buildOutputs.contains(clean)) {
            lint.problems.add(op + " " + source + ": no such file in the build context " + context);
          }
          if (!included.isEmpty() && included.stream().noneMatch(i -> clean.equals(i) || clean.startsWith(i + "/"))) {
            lint.problems.add(op + " " + source + ": excluded by " + dockerfile.getFileName() + ".dockerignore");
          }
          boolean intoDirectory = dest.endsWith("/") || sources.size() > 1;
          String target = intoDirectory ? dest.replaceAll("/+$", "") + "/" + (Files.isDirectory(path) ? ""
              : path.getFileName()) : dest;
          lint.copies.put(Files.isDirectory(path) && !target.endsWith("/") ? target + "/" : target,
              Files.isDirectory(path) ? clean + "/" : clean);
        }
      } else if (op.equals("USER")) {
        user = rest.trim();
      } else if (op.equals("ENTRYPOINT")) {
        entrypoint = rest.trim();
      }
    }
    if (lint.from == null) {
      lint.problems.add("no FROM");
    }
    if (user.equals("root") || user.equals("0") || user.startsWith("0:") || user.startsWith("root:")) {
      lint.problems.add("the image runs as root (last USER: " + user + ")");
    }
    lint.checkEntrypoint(entrypoint, context);
    return lint;
  }

  private void checkEntrypoint(String entrypoint, Path context) throws IOException {
    if (entrypoint == null) {
      problems.add("no ENTRYPOINT");
      return;
    }
    if (!entrypoint.startsWith("[")) {
      problems.add("ENTRYPOINT " + entrypoint + " is in shell form: signals would not reach the JVM");
      return;
    }
    JsonNode exec = new ObjectMapper().readTree(entrypoint);
    String program = exec.path(0).asText();
    Optional<Path> source = sourceOf(program, context);
    if (source.isEmpty()) {
      problems.add("ENTRYPOINT " + program + " is not a file this Dockerfile copies");
    } else if (!Files.isRegularFile(source.get()) || !Files.isExecutable(source.get())) {
      problems.add("ENTRYPOINT " + program + ": its source " + source.get() + " is not an executable file");
    } else if (!Files.readString(source.get()).startsWith("#!")) {
      problems.add("ENTRYPOINT " + program + ": its source " + source.get() + " has no #! line");
    }
  }

  /** The context file an image path was copied from, if a COPY put it there. */
  Optional<Path> sourceOf(String imagePath, Path context) {
    for (Map.Entry<String, String> copy : copies.entrySet()) {
      String target = copy.getKey();
      if (target.equals(imagePath)) {
        return Optional.of(context.resolve(copy.getValue()));
      }
      if (target.endsWith("/") && imagePath.startsWith(target) && copy.getValue().endsWith("/")) {
        return Optional.of(context.resolve(copy.getValue() + imagePath.substring(target.length())));
      }
    }
    return Optional.empty();
  }

  /** Instructions with continuation lines joined, comments and blank lines dropped. */
  private static List<String> instructions(String text) {
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String raw : text.split("\n")) {
      String line = raw.strip();
      if (line.startsWith("#") || (line.isEmpty() && current.length() == 0)) {
        continue;
      }
      if (line.endsWith("\\")) {
        current.append(line, 0, line.length() - 1).append(' ');
        continue;
      }
      current.append(line);
      if (current.length() > 0) {
        out.add(current.toString().strip());
      }
      current.setLength(0);
    }
    return out;
  }

  /** The paths a Dockerfile.dockerignore of the form "*, !path..." lets through (empty: no such file). */
  private static List<String> dockerignoreIncludes(Path ignore) throws IOException {
    List<String> included = new ArrayList<>();
    if (Files.exists(ignore)) {
      for (String line : Files.readAllLines(ignore)) {
        if (line.startsWith("!")) {
          included.add(line.substring(1).strip().replaceAll("/+$", ""));
        }
      }
    }
    return included;
  }

  private static String substitute(String text, Map<String, String> args) {
    Matcher m = Pattern.compile("\\$\\{?([A-Za-z_][A-Za-z0-9_]*)}?").matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = args.get(m.group(1));
      m.appendReplacement(out, Matcher.quoteReplacement(value == null ? m.group() : value));
    }
    m.appendTail(out);
    return out.toString();
  }
}
