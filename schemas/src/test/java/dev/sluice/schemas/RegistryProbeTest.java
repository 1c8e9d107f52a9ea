package dev.sluice.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry probe against real HTTP servers that are not an Apicurio Registry (a 404, a
 * Confluent-style error, a 401, a page that is not JSON, one that never answers) and a port
 * nobody listens on: each fails with a message naming the URL and what to change. The probe's
 * success against a real Apicurio Registry 3 is in testcontainers-it's ApicurioRegistryContainerIT.
 */
class RegistryProbeTest {
    private HttpServer server;
    private final List<String> authorizations = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private String serve(int status, String contentType, String body) throws IOException {
        return serve(exchange -> {
            authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            reply(exchange, status, contentType, body);
        });
    }

    private String serve(HttpHandler handler) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", handler);
        server.setExecutor(Executors.newFixedThreadPool(2));
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private static void reply(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
        exchange.close();
    }

    private static String failure(Class<? extends RuntimeException> type, Executable probe) {
        return assertThrows(type, probe).getMessage();
    }

    @Test
    void aServerWithoutApicuriosApiIsNamedAndTheNativeApiAsked() throws IOException {
        String url = serve(404, "text/plain", "Not Found") + "/apis/registry/v3";
        String m = failure(IllegalStateException.class, () -> RegistryProbe.check(SluiceSerdes.of(url)));
        assertTrue(m.startsWith("--registry " + url + " is not Apicurio Registry 3's native API"), m);
        assertTrue(m.contains("answered HTTP 404"), m);
        assertTrue(m.contains("/apis/ccompat/v7, cannot be used by Sluice's serdes"), m);
        assertTrue(m.contains("docs/registry.md"), m);
    }

    @Test
    void aConfluentStyleAnswerAtTheRootIsRecognisedAndThePathSuggested() throws IOException {
        String root = serve(404, "application/json", "{\"error_code\":404,\"message\":\"HTTP 404 Not Found\"}");
        String m = failure(IllegalStateException.class, () -> RegistryProbe.check(SluiceSerdes.of(root)));
        assertTrue(m.contains("an answer in a Confluent Schema Registry's shape"), m);
        assertTrue(m.endsWith("did you mean " + root + "/apis/registry/v3?"), m);
    }

    @Test
    void aPageThatIsNotApicuriosSystemInfoIsRefused() throws IOException {
        String url = serve(200, "text/html", "<html><body>welcome to nginx</body></html>") + "/apis/registry/v3";
        String m = failure(IllegalStateException.class, () -> RegistryProbe.check(SluiceSerdes.of(url)));
        assertTrue(m.contains("answered HTTP 200, not Apicurio's system info: <html><body>welcome to nginx"), m);
        String json = "{\"status\":\"ok\"}";
        stop();
        String other = serve(200, "application/json", json) + "/apis/registry/v3";
        assertTrue(failure(IllegalStateException.class, () -> RegistryProbe.check(SluiceSerdes.of(other)))
                .contains("not Apicurio's system info: " + json));
    }

    @Test
    void refusedCredentialsPointAtRegistryConfigAndBasicAuthIsSent() throws IOException {
        String url = serve(401, "application/json", "{\"message\":\"unauthorized\"}") + "/apis/registry/v3";
        String anonymous = failure(IllegalStateException.class, () -> RegistryProbe.check(SluiceSerdes.of(url)));
        assertTrue(anonymous.startsWith("the schema registry at " + url + " refused a request without credentials (HTTP 401"),
                anonymous);
        assertTrue(anonymous.contains("--registry-config (apicurio.registry.auth.username and apicurio.registry.auth.password"),
                anonymous);

        String wrong = failure(IllegalStateException.class, () -> RegistryProbe.check(SluiceSerdes.of(url, Map.of(
                "apicurio.registry.auth.username", "sluice", "apicurio.registry.auth.password", "s3cret"))));
        assertTrue(wrong.contains("refused the credentials of user 'sluice' (HTTP 401"), wrong);
        assertEquals(List.of("null", "Basic " + Base64.getEncoder().encodeToString(
                "sluice:s3cret".getBytes(StandardCharsets.UTF_8))), authorizations, "the second probe sent basic auth");

        assertTrue(failure(IllegalArgumentException.class, () -> RegistryProbe.check(SluiceSerdes.of(url, Map.of(
                "apicurio.registry.auth.username", "sluice")))).contains("username without .password"));
    }

    @Test
    void oauth2CredentialsAreNotCheckedAndSaySo() throws IOException {
        String url = serve(401, "application/json", "{}") + "/apis/registry/v3";
        RegistryProbe.Info info = RegistryProbe.check(SluiceSerdes.of(url, Map.of(
                "apicurio.registry.auth.service.token.endpoint", "http://127.0.0.1:1/token",
                "apicurio.registry.auth.client.id", "sluice", "apicurio.registry.auth.client.secret", "s3cret"))).orElseThrow();
        assertTrue(info.notChecked().orElseThrow().startsWith("OAuth2 client credentials are not checked at start"),
                info.toString());
    }

    @Test
    void aForbiddingServerIsACredentialsProblemToo() throws IOException {
        String url = serve(403, "text/plain", "") + "/apis/registry/v3";
        assertTrue(failure(IllegalStateException.class, () -> RegistryProbe.check(SluiceSerdes.of(url)))
                .contains("(HTTP 403 to GET " + url + "/system/info)"));
    }

    @Test
    void anUnreachablePortIsNamed() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String url = "http://127.0.0.1:" + port + "/apis/registry/v3";
        String m = failure(IllegalStateException.class, () -> RegistryProbe.check(SluiceSerdes.of(url)));
        assertEquals("cannot reach the schema registry at " + url + " (connection refused by 127.0.0.1:" + port
                + "); check --registry", m);
        String unknown = "http://no-such-host.invalid:8080/apis/registry/v3";
        assertEquals("cannot reach the schema registry at " + unknown + " (unknown host no-such-host.invalid); check --registry",
                failure(IllegalStateException.class, () -> RegistryProbe.check(SluiceSerdes.of(unknown))));
    }

    @Test
    void aServerThatNeverAnswersFailsWithinTheTimeout() throws IOException {
        String url = serve(exchange -> {
            try {
                Thread.sleep(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        }) + "/apis/registry/v3";
        String m = failure(IllegalStateException.class, () -> RegistryProbe.check(url, Map.of(), Duration.ofSeconds(1)));
        assertEquals("the schema registry at " + url + " did not answer within 1 s; check --registry", m);
    }

    @Test
    void v2AndConfluentCompatibleUrlsAreRefusedWithTheUrlToUse() {
        assertEquals("http://registry:8080/apis/registry/v2 is Apicurio's v2 API; Sluice's serdes speak Apicurio Registry 3's "
                + "native API: use http://registry:8080/apis/registry/v3",
                RegistryProbe.urlProblem("http://registry:8080/apis/registry/v2").orElseThrow());
        String ccompat = RegistryProbe.urlProblem("https://registry/apis/ccompat/v7").orElseThrow();
        assertTrue(ccompat.startsWith("https://registry/apis/ccompat/v7 is Apicurio's Confluent-compatible API"), ccompat);
        assertTrue(ccompat.contains("use https://registry/apis/registry/v3"), ccompat);
        assertTrue(RegistryProbe.urlProblem("registry:8080").isPresent());
        assertTrue(RegistryProbe.urlProblem("http://registry:8080/apis/registry/v3").isEmpty());
        // the probe refuses them without a request
        assertTrue(failure(IllegalArgumentException.class, () -> RegistryProbe.check(
                SluiceSerdes.of("http://127.0.0.1:1/apis/registry/v2"))).startsWith("--registry http://127.0.0.1:1/apis/registry/v2"));
    }

    /** A self-signed certificate for 127.0.0.1 made with the JDK's keytool: the server's key store, its PEM and a trust store. */
    private static void keytool(String... args) throws Exception {
        String[] command = new String[args.length + 1];
        command[0] = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        System.arraycopy(args, 0, command, 1, args.length);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", command) + ": " + out);
    }

    @Test
    void tlsUsesTheTrustStoreOfRegistryConfig(@TempDir Path tmp) throws Exception {
        Path serverKeys = tmp.resolve("server.p12");
        Path pem = tmp.resolve("ca.pem");
        Path trust = tmp.resolve("trust.p12");
        keytool("-genkeypair", "-alias", "registry", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=127.0.0.1",
                "-ext", "SAN=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore", serverKeys.toString(),
                "-storepass", "changeit", "-keypass", "changeit");
        keytool("-exportcert", "-rfc", "-alias", "registry", "-keystore", serverKeys.toString(), "-storepass", "changeit",
                "-file", pem.toString());
        keytool("-importcert", "-noprompt", "-alias", "registry", "-file", pem.toString(), "-storetype", "PKCS12",
                "-keystore", trust.toString(), "-storepass", "changeit");

        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(serverKeys)) {
            keys.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, "changeit".toCharArray());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), null, null);
        HttpsServer https = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        https.setHttpsConfigurator(new HttpsConfigurator(tls));
        https.createContext("/", exchange -> reply(exchange, 404, "text/plain", "Not Found"));
        https.setExecutor(Executors.newFixedThreadPool(2));
        https.start();
        try {
            String url = "https://127.0.0.1:" + https.getAddress().getPort() + "/apis/registry/v3";
            String untrusted = failure(IllegalStateException.class, () -> RegistryProbe.check(SluiceSerdes.of(url)));
            assertTrue(untrusted.startsWith("TLS handshake with the schema registry at " + url + " failed ("), untrusted);
            assertTrue(untrusted.contains("needs apicurio.registry.tls.truststore.location"), untrusted);

            // trusted through each way --registry-config can say so, the probe gets through to the 404
            String notApicurio = "--registry " + url + " is not Apicurio Registry 3's native API";
            for (Map<String, Object> settings : List.<Map<String, Object>>of(
                    Map.of("apicurio.registry.tls.truststore.location", trust.toString(),
                            "apicurio.registry.tls.truststore.type", "PKCS12",
                            "apicurio.registry.tls.truststore.password", "changeit"),
                    Map.of("apicurio.registry.tls.truststore.location", pem.toString(),
                            "apicurio.registry.tls.truststore.type", "PEM"),
                    Map.of("apicurio.registry.tls.trust-all", "true"))) {
                String m = failure(IllegalStateException.class, () -> RegistryProbe.check(SluiceSerdes.of(url, settings)));
                assertTrue(m.startsWith(notApicurio), settings + ": " + m);
            }
            String missing = failure(IllegalArgumentException.class, () -> RegistryProbe.check(SluiceSerdes.of(url,
                    Map.of("apicurio.registry.tls.truststore.location", tmp.resolve("none.p12").toString()))));
            assertTrue(missing.startsWith("--registry-config: cannot use the registry trust store " + tmp.resolve("none.p12")),
                    missing);
        } finally {
            https.stop(0);
        }
    }

    @Test
    void theFingerprintModeHasNothingToProbe() {
        assertTrue(RegistryProbe.check(SluiceSerdes.fingerprint()).isEmpty());
    }
}
