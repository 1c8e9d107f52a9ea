package dev.sluice.strimzi;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.deser.std.DelegatingDeserializer;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.openshift.api.model.monitoring.v1.PodMonitor;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import io.strimzi.api.kafka.model.kafka.Kafka;
import io.strimzi.api.kafka.model.nodepool.KafkaNodePool;
import io.strimzi.api.kafka.model.topic.KafkaTopic;
import io.strimzi.api.kafka.model.user.KafkaUser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Reads the manifests under strimzi/ and parses each document strictly into its model class.
 *
 * <p>Strict means: unknown fields fail (Strimzi and fabric8 classes otherwise keep them through
 * {@code @JsonAnySetter}, so the introspector reports no any-setter), and an enum value that the
 * model maps to null (Strimzi's enums do that for unknown strings) fails too. Kinds without a Java
 * model on Maven Central (KEDA, Apicurio Registry 3, kustomize's Kustomization) are checked against the
 * small JSON schemas in src/test/resources/schemas by {@link SchemaCheck}.
 */
final class Manifests {
    static final Path MODULE = Path.of("").toAbsolutePath();
    static final Path BASE = MODULE.resolve("base");
    static final Path OVERLAYS = MODULE.resolve("overlays");
    static final Path REPO = MODULE.getParent();

    /** Kind -> (apiVersion, model class); a null class means the kind is checked by a JSON schema. */
    static final Map<String, Kind> KINDS = Map.ofEntries(
            Map.entry("Kafka", new Kind("kafka.strimzi.io/v1", Kafka.class)),
            Map.entry("KafkaNodePool", new Kind("kafka.strimzi.io/v1", KafkaNodePool.class)),
            Map.entry("KafkaTopic", new Kind("kafka.strimzi.io/v1", KafkaTopic.class)),
            Map.entry("KafkaUser", new Kind("kafka.strimzi.io/v1", KafkaUser.class)),
            Map.entry("Deployment", new Kind("apps/v1", Deployment.class)),
            Map.entry("ConfigMap", new Kind("v1", ConfigMap.class)),
            Map.entry("Secret", new Kind("v1", Secret.class)),
            Map.entry("Service", new Kind("v1", Service.class)),
            Map.entry("Namespace", new Kind("v1", Namespace.class)),
            Map.entry("PodMonitor", new Kind("monitoring.coreos.com/v1", PodMonitor.class)),
            Map.entry("PrometheusRule", new Kind("monitoring.coreos.com/v1", PrometheusRule.class)),
            Map.entry("ScaledObject", new Kind("keda.sh/v1alpha1", null)),
            Map.entry("TriggerAuthentication", new Kind("keda.sh/v1alpha1", null)),
            Map.entry("ApicurioRegistry3", new Kind("registry.apicur.io/v1", null)),
            Map.entry("Kustomization", new Kind("kustomize.config.k8s.io/v1beta1", null)));

    record Kind(String apiVersion, Class<?> model) {}

    /** One YAML document of one file. */
    record Doc(Path file, int index, JsonNode node) {
        String kind() {
            return node.path("kind").asText();
        }

        String name() {
            return node.path("metadata").path("name").asText();
        }

        @Override
        public String toString() {
            return MODULE.relativize(file) + "#" + index + " " + kind() + "/" + name();
        }
    }

    private static final YAMLMapper YAML = new YAMLMapper();
    static final ObjectMapper STRICT = strictMapper();

    private Manifests() {}

    static ObjectMapper strictMapper() {
        SimpleModule rejectNullEnums = new SimpleModule("reject-null-enums");
        rejectNullEnums.setDeserializerModifier(new BeanDeserializerModifier() {
            @Override
            public JsonDeserializer<?> modifyEnumDeserializer(DeserializationConfig config, JavaType type,
                    BeanDescription beanDesc, JsonDeserializer<?> deserializer) {
                return new NonNullEnumDeserializer(deserializer);
            }
        });
        return JsonMapper.builder()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .disable(DeserializationFeature.READ_UNKNOWN_ENUM_VALUES_AS_NULL)
                .annotationIntrospector(new JacksonAnnotationIntrospector() {
                    @Override
                    public Boolean hasAnySetter(Annotated a) {
                        return Boolean.FALSE;
                    }
                })
                .addModule(rejectNullEnums)
                .build();
    }

    /** An enum deserializer that fails where the model would quietly return null. */
    static final class NonNullEnumDeserializer extends DelegatingDeserializer {
        NonNullEnumDeserializer(JsonDeserializer<?> delegate) {
            super(delegate);
        }

        @Override
        protected JsonDeserializer<?> newDelegatingInstance(JsonDeserializer<?> newDelegatee) {
            return new NonNullEnumDeserializer(newDelegatee);
        }

        @Override
        public Object deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            String text = p.getText();
            Object value = _delegatee.deserialize(p, ctxt);
            if (value == null) {
                throw InvalidFormatException.from(p, "unknown value '" + text + "' for " + handledType().getSimpleName(), text,
                        handledType());
            }
            return value;
        }
    }

    /**
     * Every .yaml file of the base and the overlays (the dashboard is JSON, the tests' own resources
     * are elsewhere), less kustomize's transformer configurations (a kustomization's
     * {@code configurations}), which are not resources.
     */
    static List<Path> yamlFiles() {
        try (Stream<Path> s = Stream.concat(Files.walk(BASE), Files.walk(OVERLAYS))) {
            List<Path> yaml = s.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList();
            java.util.Set<Path> configurations = new java.util.HashSet<>();
            for (Path f : yaml) {
                if (f.getFileName().toString().equals("kustomization.yaml")) {
                    readYaml(f, Files.readString(f)).get(0).node().path("configurations")
                            .forEach(c -> configurations.add(f.getParent().resolve(c.asText()).normalize()));
                }
            }
            return yaml.stream().filter(p -> !configurations.contains(p.normalize())).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Doc> read(Path file) {
        try {
            return readYaml(file, Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Doc> readYaml(Path file, String text) {
        List<Doc> docs = new ArrayList<>();
        try (var parser = new YAMLFactory().createParser(text)) {
            Iterator<JsonNode> it = YAML.readValues(parser, JsonNode.class);
            int i = 0;
            while (it.hasNext()) {
                JsonNode n = it.next();
                if (n != null && !n.isMissingNode() && !n.isNull()) {
                    docs.add(new Doc(file, i, n));
                }
                i++;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return docs;
    }

    static List<Doc> all() {
        return yamlFiles().stream().flatMap(f -> read(f).stream()).toList();
    }

    static List<Doc> base() {
        return all().stream().filter(d -> d.file().startsWith(BASE)).toList();
    }

    static List<Doc> baseOf(String kind) {
        return base().stream().filter(d -> d.kind().equals(kind)).toList();
    }

    /** Parses one document into its model (or checks it against its schema); throws on anything wrong. */
    static Object parseStrictly(Doc doc) {
        Kind k = KINDS.get(doc.kind());
        if (k == null) {
            throw new IllegalArgumentException(doc + ": no model or schema for kind '" + doc.kind() + "'");
        }
        String apiVersion = doc.node().path("apiVersion").asText();
        if (!k.apiVersion().equals(apiVersion)) {
            throw new IllegalArgumentException(doc + ": apiVersion '" + apiVersion + "', expected " + k.apiVersion());
        }
        if (k.model() == null) {
            SchemaCheck.forKind(doc.kind()).validate(doc.node()).ifPresent(err -> {
                throw new IllegalArgumentException(doc + ": " + err);
            });
            return doc.node();
        }
        try {
            return STRICT.treeToValue(doc.node(), k.model());
        } catch (IOException e) {
            throw new IllegalArgumentException(doc + ": " + e.getMessage(), e);
        }
    }

    static <T> T parse(Doc doc, Class<T> type) {
        return type.cast(parseStrictly(doc));
    }
}
