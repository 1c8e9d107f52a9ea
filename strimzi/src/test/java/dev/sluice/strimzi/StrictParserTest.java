package dev.sluice.strimzi;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.strimzi.Manifests.Doc;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The strict parser catches the typos that lenient parsing lets through: each case takes a real
 * manifest of the base, breaks one thing, and expects a failure that names it.
 */
class StrictParserTest {

    @ParameterizedTest(name = "{0}: ''{1}'' -> ''{2}''")
    @CsvSource(delimiter = '|', value = {
        // Strimzi: unknown field, unknown enum value, v1beta2-style singular operation
        "kafka.yaml          | '  replicas: 3'                   | '  replicaz: 3'",
        "kafka.yaml          | '        type: internal'         | '        type: internall'",
        "kafka.yaml          | '  labels:'                       | '  lables:'",
        "users.yaml          | 'operations: [Read, Describe]'   | 'operations: [Read, Describ]'",
        "users.yaml          | '          patternType: prefix'  | '          patternType: prefixed'",
        "users.yaml          | '          type: transactionalId' | '          type: transactionId'",
        "topics.yaml         | '  partitions: 12'                | '  partition: 12'",
        // fabric8 core/apps
        "components.yaml     | '              containerPort: 9400' | '              containerPrt: 9400'",
        "components.yaml     | '          livenessProbe:'        | '          livenesProbe:'",
        // Prometheus operator
        "podmonitors.yaml    | '  podMetricsEndpoints:'          | '  podMetricEndpoint:'",
        "prometheus-rules.yaml | '          expr: sum(rate(sluice_selector_dead_letters_total[5m])) > 0.1' | '          expre: sum(rate(sluice_selector_dead_letters_total[5m])) > 0.1'",
        // JSON-schema kinds
        "keda.yaml           | '  maxReplicaCount: 12'           | '  maxReplicas: 12'",
        "keda.yaml           | '      authenticationRef:'        | '      authRef:'",
        "keda.yaml           | '    - parameter: sasl'           | '    - param: sasl'",
        "registry.yaml       | '      type: kafkasql'            | '      type: kafka-sql'",
        "registry.yaml       | '          keystoreSecretName: sluice-registry' | '          keystoreSecret: sluice-registry'",
        "kustomization.yaml  | 'images:'                         | 'image:'",
    })
    void aTypoFails(String file, String good, String bad) throws Exception {
        Path path = Manifests.BASE.resolve(file);
        String text = java.nio.file.Files.readString(path);
        assertTrue(text.contains(good), file + " no longer contains '" + good + "'; update this test");
        for (Doc d : Manifests.readYaml(path, text)) {
            Manifests.parseStrictly(d); // the original passes
        }
        List<Doc> broken = Manifests.readYaml(path, text.replaceFirst(java.util.regex.Pattern.quote(good),
                java.util.regex.Matcher.quoteReplacement(bad)));
        assertThrows(IllegalArgumentException.class, () -> broken.forEach(Manifests::parseStrictly),
                "the strict parser accepted '" + bad + "' in " + file);
    }

    @Test
    void aV1beta2StrimziResourceFails() throws Exception {
        Path path = Manifests.BASE.resolve("topics.yaml");
        String text = java.nio.file.Files.readString(path).replaceFirst("kafka.strimzi.io/v1\n", "kafka.strimzi.io/v1beta2\n");
        List<Doc> docs = Manifests.readYaml(path, text);
        assertThrows(IllegalArgumentException.class, () -> docs.forEach(Manifests::parseStrictly));
    }

    @Test
    void anUnknownKindFails() {
        Doc d = Manifests.readYaml(Path.of("x.yaml"), "apiVersion: v1\nkind: ConfigMapp\nmetadata: {name: x}\n").get(0);
        assertThrows(IllegalArgumentException.class, () -> Manifests.parseStrictly(d));
    }
}
