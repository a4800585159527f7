package io.sparkgen.jobs.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigSyntax;
import java.io.File;
import java.util.List;
import java.util.Map;

/**
 * Layers the configuration: defaults in code, then each file in order (later wins), then
 * command-line overrides. Unknown keys in files or overrides are errors naming key and origin.
 */
public final class ConfigLoader {

  private ConfigLoader() {}

  /**
   * @param files HOCON files, applied in order
   * @param overrides {@code key=value} pairs in HOCON syntax, applied last, in order
   * @param optionOverrides overrides from named command-line options: option name to {@code key=value}
   */
  public static ResolvedConfig load(List<File> files, List<String> overrides, Map<String, String> optionOverrides) {
    Config user = ConfigFactory.empty();
    for (File file : files) {
      if (!file.isFile()) {
        throw new ConfigError("config file " + file + " does not exist or is not a file");
      }
      Config parsed;
      try {
        parsed = ConfigFactory.parseFile(file, ConfigParseOptions.defaults().setAllowMissing(false).setSyntax(ConfigSyntax.CONF));
      } catch (ConfigException e) {
        throw new ConfigError("cannot parse config file " + file + ": " + e.getMessage(), e);
      }
      user = parsed.withFallback(user);
    }
    for (String override : overrides) {
      user = parseOverride(override, "command line --set " + override).withFallback(user);
    }
    for (Map.Entry<String, String> option : optionOverrides.entrySet()) {
      user = parseOverride(option.getValue(), "command line " + option.getKey()).withFallback(user);
    }
    try {
      user = user.resolve(ConfigResolveOptions.defaults().setAllowUnresolved(false));
    } catch (ConfigException e) {
      throw new ConfigError("cannot resolve config: " + e.getMessage(), e);
    }
    ConfigBinder.rejectUnknownKeys(SparkgenConfig.class, user.root(), "");
    Config merged = user.withFallback(ConfigBinder.toConfig(SparkgenConfig.defaults(), "defaults in code"));
    return ResolvedConfig.of(ConfigBinder.bind(SparkgenConfig.class, merged, ""));
  }

  private static Config parseOverride(String keyValue, String origin) {
    int eq = keyValue.indexOf('=');
    if (eq <= 0) {
      throw new ConfigError("override '" + keyValue + "' (" + origin + ") must be key=value");
    }
    String key = keyValue.substring(0, eq).trim();
    String value = keyValue.substring(eq + 1).trim();
    try {
      return ConfigFactory.parseString(key + " = " + hoconValue(value), ConfigParseOptions.defaults().setOriginDescription(origin));
    } catch (ConfigException e) {
      throw new ConfigError("cannot parse override '" + keyValue + "' (" + origin + "): " + e.getMessage(), e);
    }
  }

  /** Plain words and paths are taken as strings; lists, objects, numbers and quoted strings as HOCON. */
  private static String hoconValue(String value) {
    if (value.isEmpty()) {
      return "\"\"";
    }
    char first = value.charAt(0);
    if (first == '[' || first == '{' || first == '"') {
      return value;
    }
    return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
