package io.sparkgen.jobs.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Binds HOCON to typed config records and back. Record component {@code numShards} is key
 * {@code num-shards}; enum constant {@code CENTER_CROP} is value {@code center-crop}. Defaults come
 * from code (a default instance of the record), never from a resource file. A key the records do
 * not declare is an error naming the key and the file and line it came from.
 *
 * <p>Supported field types: String, int, long, double, boolean, enums, nested records,
 * {@code List<String|Integer|Long|Double>} and {@code Map<String, String>} (free-form, e.g. extra
 * Spark settings) and {@code Map<String, Object>} (a free-form tree, e.g. a model family's config,
 * which that family validates).
 */
public final class ConfigBinder {

  private ConfigBinder() {}

  /** Renders a record as nested maps with kebab-case keys, in declaration order. */
  public static Map<String, Object> toTree(Record value) {
    Map<String, Object> tree = new LinkedHashMap<>();
    for (RecordComponent component : value.getClass().getRecordComponents()) {
      tree.put(key(component), toTreeValue(read(component, value)));
    }
    return tree;
  }

  /** The record as a Config whose values all have the origin "defaults in code". */
  public static Config toConfig(Record value, String originDescription) {
    return ConfigValueFactory.fromMap(toTree(value), originDescription).toConfig();
  }

  /**
   * Checks every key of {@code user} against the record type, recursively. {@code user} holds only
   * what files and the command line set, so its origins point at the offending line.
   */
  public static void rejectUnknownKeys(Class<? extends Record> type, ConfigObject user, String path) {
    Map<String, RecordComponent> known = components(type);
    for (Map.Entry<String, ConfigValue> entry : user.entrySet()) {
      String key = entry.getKey();
      String fullKey = path.isEmpty() ? key : path + "." + key;
      RecordComponent component = known.get(key);
      if (component == null) {
        throw new ConfigError(
            "unknown config key '" + fullKey + "' (" + describe(entry.getValue().origin()) + "); "
                + (path.isEmpty() ? "top-level keys" : "keys under '" + path + "'") + " are: "
                + String.join(", ", known.keySet()) + suggestion(key, known.keySet()));
      }
      if (component.getType().isRecord() && entry.getValue() instanceof ConfigObject object) {
        @SuppressWarnings("unchecked")
        Class<? extends Record> nested = (Class<? extends Record>) component.getType();
        rejectUnknownKeys(nested, object, fullKey);
      }
    }
  }

  /** Builds the record from a fully merged config (user values over defaults). */
  public static <T extends Record> T bind(Class<T> type, Config config, String path) {
    RecordComponent[] components = type.getRecordComponents();
    Object[] args = new Object[components.length];
    for (int i = 0; i < components.length; i++) {
      String fullKey = join(path, key(components[i]));
      try {
        args[i] = bindValue(components[i].getGenericType(), config, fullKey);
      } catch (ConfigException.Missing e) {
        throw new ConfigError("config key '" + fullKey + "' is missing", e);
      } catch (ConfigException e) {
        throw new ConfigError("config key '" + fullKey + "': " + e.getMessage(), e);
      }
    }
    try {
      Constructor<T> constructor =
          type.getDeclaredConstructor(
              Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new));
      return constructor.newInstance(args);
    } catch (InvocationTargetException e) {
      Throwable cause = e.getCause();
      if (cause instanceof ConfigError error) {
        throw error;
      }
      if (cause instanceof Check.InvalidField invalid) {
        String fieldKey = join(path, invalid.field());
        String where = config.hasPath(fieldKey) ? describe(config.getValue(fieldKey).origin()) : "defaults in code";
        throw new ConfigError("config key '" + fieldKey + "' " + invalid.getMessage() + " (" + where + ")", cause);
      }
      throw new ConfigError("invalid config '" + (path.isEmpty() ? "<root>" : path) + "': " + cause.getMessage(), cause);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot construct config record " + type.getName(), e);
    }
  }

  /** Kebab-case key of a record component. */
  public static String key(RecordComponent component) {
    return kebab(component.getName());
  }

  public static String kebab(String camel) {
    return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
  }

  /** The config value name of an enum constant: {@code CENTER_CROP} is {@code center-crop}. */
  public static String enumValue(Enum<?> constant) {
    return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  public static <E extends Enum<E>> E parseEnum(Class<E> type, String value, String fullKey) {
    for (E constant : type.getEnumConstants()) {
      if (enumValue(constant).equals(value.trim().toLowerCase(Locale.ROOT).replace('_', '-'))) {
        return constant;
      }
    }
    throw new ConfigError(
        "config key '" + fullKey + "' = '" + value + "' is not one of: "
            + Arrays.stream(type.getEnumConstants()).map(ConfigBinder::enumValue).collect(Collectors.joining(", ")));
  }

  static Map<String, RecordComponent> components(Class<? extends Record> type) {
    Map<String, RecordComponent> map = new LinkedHashMap<>();
    for (RecordComponent component : type.getRecordComponents()) {
      map.put(key(component), component);
    }
    return map;
  }

  private static Object bindValue(Type type, Config config, String fullKey) {
    Class<?> raw = rawClass(type);
    if (raw == String.class) {
      return config.getString(fullKey);
    } else if (raw == int.class || raw == Integer.class) {
      return config.getInt(fullKey);
    } else if (raw == long.class || raw == Long.class) {
      return config.getLong(fullKey);
    } else if (raw == double.class || raw == Double.class) {
      return config.getDouble(fullKey);
    } else if (raw == boolean.class || raw == Boolean.class) {
      return config.getBoolean(fullKey);
    } else if (raw.isEnum()) {
      return parseEnumUnchecked(raw, config.getString(fullKey), fullKey);
    } else if (raw.isRecord()) {
      @SuppressWarnings("unchecked")
      Class<? extends Record> nested = (Class<? extends Record>) raw;
      return bind(nested, config, fullKey);
    } else if (raw == List.class) {
      Class<?> element = rawClass(((ParameterizedType) type).getActualTypeArguments()[0]);
      if (element == String.class) {
        return List.copyOf(config.getStringList(fullKey));
      } else if (element == Integer.class) {
        return List.copyOf(config.getIntList(fullKey));
      } else if (element == Long.class) {
        return List.copyOf(config.getLongList(fullKey));
      } else if (element == Double.class) {
        return List.copyOf(config.getDoubleList(fullKey));
      }
    } else if (raw == Map.class && rawClass(((ParameterizedType) type).getActualTypeArguments()[1]) == Object.class) {
      // A free-form tree (numbers, strings, lists, objects), validated by whoever reads it.
      return sortedTree(config.getObject(fullKey).unwrapped());
    } else if (raw == Map.class) {
      Map<String, String> map = new TreeMap<>();
      // Free-form keys may contain dots (spark.executor.memory): read the object's own entries.
      for (Map.Entry<String, ConfigValue> entry : config.getObject(fullKey).entrySet()) {
        flatten(entry.getKey(), entry.getValue(), map, fullKey);
      }
      return map;
    }
    throw new IllegalStateException("unsupported config field type " + type + " at " + fullKey);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> sortedTree(Map<String, Object> tree) {
    Map<String, Object> sorted = new TreeMap<>();
    tree.forEach((k, v) -> sorted.put(k, v instanceof Map<?, ?> m ? sortedTree((Map<String, Object>) m) : v));
    return java.util.Collections.unmodifiableMap(sorted);
  }

  private static void flatten(String prefix, ConfigValue value, Map<String, String> out, String fullKey) {
    if (value instanceof ConfigObject object) {
      object.forEach((k, v) -> flatten(prefix + "." + k, v, out, fullKey));
    } else if (value.valueType() == ConfigValueType.LIST || value.valueType() == ConfigValueType.NULL) {
      throw new ConfigError(
          "config key '" + fullKey + "." + prefix + "' must be a string, number or boolean ("
              + describe(value.origin()) + ")");
    } else {
      out.put(prefix, String.valueOf(value.unwrapped()));
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Object parseEnumUnchecked(Class<?> type, String value, String fullKey) {
    return parseEnum((Class) type, value, fullKey);
  }

  private static Object toTreeValue(Object value) {
    if (value instanceof Record record) {
      return toTree(record);
    } else if (value instanceof Enum<?> constant) {
      return enumValue(constant);
    } else if (value instanceof List<?> list) {
      return new ArrayList<>(list);
    } else if (value instanceof Map<?, ?> map) {
      // ConfigValueFactory.fromMap takes keys literally, so dotted keys (spark.sql...) stay one key.
      Map<String, Object> sorted = new TreeMap<>();
      map.forEach((k, v) -> sorted.put(String.valueOf(k), v));
      return sorted;
    }
    return value;
  }

  private static Object read(RecordComponent component, Record value) {
    try {
      return component.getAccessor().invoke(value);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Class<?> rawClass(Type type) {
    if (type instanceof Class<?> c) {
      return c;
    } else if (type instanceof ParameterizedType p) {
      return (Class<?>) p.getRawType();
    }
    throw new IllegalStateException("unsupported config field type " + type);
  }

  private static String join(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  static String describe(ConfigOrigin origin) {
    if (origin == null) {
      return "defaults in code";
    }
    String file = origin.filename();
    if (file != null) {
      return origin.lineNumber() > 0 ? file + ":" + origin.lineNumber() : file;
    }
    // Origins of parsed strings end in ": <line>", which says nothing for a one-line override.
    return origin.description().replaceFirst(": \\d+$", "");
  }

  private static String suggestion(String key, Iterable<String> known) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : known) {
      int d = levenshtein(key, candidate);
      if (d < bestDistance) {
        bestDistance = d;
        best = candidate;
      }
    }
    return best != null && bestDistance <= Math.max(2, key.length() / 3) ? " (did you mean '" + best + "'?)" : "";
  }

  private static int levenshtein(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
