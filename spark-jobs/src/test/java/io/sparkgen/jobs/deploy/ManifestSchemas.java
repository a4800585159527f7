package io.sparkgen.jobs.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Offline JSON schemas for the manifests of deploy/k8s, one per apiVersion/kind. Kubernetes core kinds
 * come from the schema in fabric8's kubernetes-model-core jar (Maven Central), made as strict as the API
 * server: unknown fields are errors, required fields required, and the types fabric8 models as Java
 * objects (Quantity, IntOrString, Time) take the strings and numbers that manifests hold. The
 * spark-operator's kinds come from deploy/k8s/schema, whose $refs to core types resolve into the same
 * definitions.
 */
final class ManifestSchemas {

  private static final String FABRIC8_SCHEMA = "/schema/validation-schema.json";
  private static final String DNS_LABEL = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";
  private static final String DNS_SUBDOMAIN = "^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$";
  private static final String QUANTITY = "^[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([KMGTPE]i|[numkMGTPE]|[eE][+-]?[0-9]+)?$";

  /** apiVersion/kind to its definition's name. */
  private static final Map<String, String> KINDS = Map.of(
      "v1/ConfigMap", "kubernetes_core_ConfigMap",
      "v1/PersistentVolumeClaim", "kubernetes_core_PersistentVolumeClaim",
      "sparkoperator.k8s.io/v1beta2/SparkApplication", "SparkApplication",
      "sparkoperator.k8s.io/v1beta2/ScheduledSparkApplication", "ScheduledSparkApplication");

  private final Map<String, JsonSchema> schemas = new LinkedHashMap<>();

  private ManifestSchemas(ObjectNode definitions) {
    JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7);
    KINDS.forEach((kind, definition) -> {
      ObjectNode root = definitions.objectNode();
      root.put("$schema", "http://json-schema.org/draft-07/schema#");
      root.putArray("allOf").addObject().put("$ref", "#/definitions/" + definition);
      root.set("definitions", definitions);
      schemas.put(kind, factory.getSchema(root));
    });
  }

  /** The schemas: fabric8's core definitions made strict, plus the spark-operator's from {@code sparkOperator}. */
  static ManifestSchemas load(Path sparkOperator) {
    ObjectMapper json = new ObjectMapper();
    try (InputStream in = ManifestSchemas.class.getResourceAsStream(FABRIC8_SCHEMA)) {
      if (in == null) {
        throw new IllegalStateException(FABRIC8_SCHEMA + " is not on the test classpath (io.fabric8:kubernetes-model-core)");
      }
      ObjectNode core = (ObjectNode) json.readTree(in).get("definitions");
      ObjectNode definitions = json.createObjectNode();
      core.fields().forEachRemaining(e -> definitions.set(e.getKey(), strict(e.getKey(), (ObjectNode) e.getValue())));
      ObjectNode operator = (ObjectNode) json.readTree(sparkOperator.toFile()).get("definitions");
      operator.fields().forEachRemaining(e -> {
        if (definitions.has(e.getKey())) {
          throw new IllegalStateException("definition " + e.getKey() + " is in both schemas");
        }
        definitions.set(e.getKey(), e.getValue());
      });
      return new ManifestSchemas(definitions);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** What is wrong with one manifest: empty when it matches the schema of its apiVersion and kind. */
  List<String> problems(JsonNode manifest) {
    String kind = manifest.path("apiVersion").asText() + "/" + manifest.path("kind").asText();
    JsonSchema schema = schemas.get(kind);
    if (schema == null) {
      return List.of("no schema for " + kind + " (known: " + schemas.keySet() + ")");
    }
    List<String> problems = new ArrayList<>();
    for (ValidationMessage m : schema.validate(manifest)) {
      problems.add(m.getMessage());
    }
    return problems;
  }

  /** fabric8's definition as the API server checks it; fabric8's Java hints dropped. */
  private static JsonNode strict(String name, ObjectNode definition) {
    ObjectMapper json = new ObjectMapper();
    switch (name) {
      case "kubernetes_resource_Quantity":
        return json.createObjectNode().put("pattern", QUANTITY)
            .set("type", json.createArrayNode().add("string").add("integer").add("number"));
      case "kubernetes_apimachinery_pkg_util_intstr_IntOrString":
        return json.createObjectNode().set("type", json.createArrayNode().add("string").add("integer"));
      case "kubernetes_apimachinery_pkg_apis_Time", "kubernetes_apimachinery_pkg_apis_MicroTime",
          "kubernetes_apimachinery_pkg_apis_Duration":
        return json.createObjectNode().put("type", "string");
      default:
        break;
    }
    ObjectNode strict = definition.deepCopy();
    dropJavaHints(strict);
    JsonNode properties = strict.get("properties");
    if (properties == null) {
      return strict; // free-form (RawExtension, FieldsV1)
    }
    ArrayNode required = json.createArrayNode();
    properties.fields().forEachRemaining(p -> {
      // fabric8 marks required fields draft-3 style, inside the property.
      if (p.getValue().path("required").asBoolean(false)) {
        required.add(p.getKey());
      }
      ((ObjectNode) p.getValue()).remove("required");
    });
    if (name.equals("kubernetes_apimachinery_pkg_apis_ObjectMeta")) {
      ((ObjectNode) properties.get("name")).put("pattern", DNS_SUBDOMAIN).put("maxLength", 253);
      ((ObjectNode) properties.get("namespace")).put("pattern", DNS_LABEL).put("maxLength", 63);
      required.add("name");
    }
    if (!required.isEmpty()) {
      strict.set("required", required);
    }
    strict.put("additionalProperties", false);
    return strict;
  }

  /** Removes fabric8's javaType, existingJavaType, javaInterfaces... (not property names that start so). */
  private static void dropJavaHints(JsonNode node) {
    if (!node.isObject()) {
      node.forEach(ManifestSchemas::dropJavaHints);
      return;
    }
    for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
      Map.Entry<String, JsonNode> field = fields.next();
      if (field.getKey().startsWith("java") || field.getKey().equals("existingJavaType")) {
        fields.remove();
      } else if (field.getKey().equals("properties") && field.getValue().isObject()) {
        field.getValue().forEach(ManifestSchemas::dropJavaHints);
      } else {
        dropJavaHints(field.getValue());
      }
    }
  }
}
