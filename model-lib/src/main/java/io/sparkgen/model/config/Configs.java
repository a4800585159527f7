package io.sparkgen.model.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;

/**
 * Reads and writes config records as JSON. Defaults live in code: a document names only what it
 * changes and is merged over the defaults record; an unknown key, a wrong type or a null is an
 * error that names it; the record's constructor then validates values.
 */
public final class Configs {

  public static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
          .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
          .enable(SerializationFeature.INDENT_OUTPUT)
          .build();

  private Configs() {}

  /** The resolved config as JSON, as written next to every run and into every checkpoint. */
  public static String toJson(Object config) {
    try {
      return MAPPER.writeValueAsString(config);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot write " + config.getClass().getSimpleName(), e);
    }
  }

  public static JsonNode toTree(Object config) {
    return MAPPER.valueToTree(config);
  }

  /** {@code overrides} (a JSON object, possibly partial) merged over {@code defaults}. */
  public static <C> C read(String overrides, Class<C> type, C defaults) {
    try {
      return read(MAPPER.readTree(overrides), type, defaults);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not valid JSON for " + type.getSimpleName() + ": " + e.getOriginalMessage(), e);
    }
  }

  public static <C> C read(JsonNode overrides, Class<C> type, C defaults) {
    if (!overrides.isObject()) {
      throw new IllegalArgumentException(type.getSimpleName() + " must be a JSON object, got " + overrides);
    }
    ObjectNode merged = (ObjectNode) MAPPER.valueToTree(defaults);
    merge(merged, (ObjectNode) overrides);
    try {
      return MAPPER.treeToValue(merged, type);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(type.getSimpleName() + ": " + e.getOriginalMessage(), e);
    } catch (IllegalArgumentException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new IllegalArgumentException(type.getSimpleName() + ": " + cause.getMessage(), e);
    }
  }

  private static void merge(ObjectNode base, ObjectNode overrides) {
    Iterator<Map.Entry<String, JsonNode>> fields = overrides.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> f = fields.next();
      JsonNode current = base.get(f.getKey());
      if (current != null && current.isObject() && f.getValue().isObject()) {
        merge((ObjectNode) current, (ObjectNode) f.getValue());
      } else {
        base.set(f.getKey(), f.getValue());
      }
    }
  }
}
