package io.sparkgen.jobs.config;

import java.lang.reflect.RecordComponent;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Writes a config record as readable HOCON, in declaration order, optionally with {@link Doc} comments. */
public final class ConfigRenderer {

  private ConfigRenderer() {}

  public static String render(Record value, boolean withDocs) {
    StringBuilder out = new StringBuilder();
    renderObject(value, 0, withDocs, out);
    return out.toString();
  }

  private static void renderObject(Record value, int depth, boolean withDocs, StringBuilder out) {
    String indent = "  ".repeat(depth);
    for (RecordComponent component : value.getClass().getRecordComponents()) {
      Doc doc = component.getAnnotation(Doc.class);
      if (withDocs && doc != null) {
        out.append(indent).append("# ").append(doc.value()).append('\n');
      }
      Object field;
      try {
        field = component.getAccessor().invoke(value);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
      out.append(indent).append(ConfigBinder.key(component));
      if (field instanceof Record nested) {
        out.append(" {\n");
        renderObject(nested, depth + 1, withDocs, out);
        out.append(indent).append("}\n");
      } else {
        out.append(" = ").append(scalar(field)).append('\n');
      }
    }
  }

  private static String scalar(Object value) {
    if (value instanceof String s) {
      return quote(s);
    } else if (value instanceof Enum<?> e) {
      return ConfigBinder.enumValue(e);
    } else if (value instanceof List<?> list) {
      return list.stream().map(ConfigRenderer::scalar).collect(Collectors.joining(", ", "[", "]"));
    } else if (value instanceof Map<?, ?> map) {
      return map.entrySet().stream()
          .map(e -> quote(String.valueOf(e.getKey())) + " = " + scalar(e.getValue()))
          .collect(Collectors.joining(", ", "{", "}"));
    }
    return String.valueOf(value);
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
