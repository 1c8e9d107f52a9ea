package dev.sluice.schemas;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;

/**
 * A component's first contact with the schema registry, bounded in time: one
 * {@code GET <url>/system/info} on Apicurio Registry 3's native API, with the credentials and
 * trust store of the registry client settings, before any serde is built. Fails with a message
 * that names the URL and what to change, instead of the first record failing deep in a serde.
 *
 * <p>Checked: the URL's shape (not Apicurio's v2 or Confluent-compatible API), that it answers,
 * that the answer is Apicurio's system info, and basic-auth credentials
 * ({@code apicurio.registry.auth.username} and {@code .password}) when given. Not checked: OAuth2
 * client credentials ({@code apicurio.registry.auth.service.token.endpoint}, {@code .client.id},
 * {@code .client.secret}; the probe asks without a token and takes a 401 or 403 as an answer),
 * and TLS when {@code apicurio.registry.tls.verify-host=false} or {@code .tls.certificates} is
 * set (the probe then does not fail on a TLS error). A trust store
 * ({@code apicurio.registry.tls.truststore.location}, {@code .type} JKS, PKCS12 or PEM,
 * {@code .password}) and {@code apicurio.registry.tls.trust-all} are honoured.
 */
public final class RegistryProbe {
    public static final Duration TIMEOUT = Duration.ofSeconds(5);
    public static final String NATIVE_API = "/apis/registry/v3";

    private static final String P = SluiceSerdes.CLIENT_SETTING_PREFIX;
    private static final String CONFIG_HINT = "registry client settings come from a properties file given with "
            + "--registry-config";

    /** What the registry said about itself, and what of the client settings the probe could not check. */
    public record Info(String url, String name, String version, Optional<String> notChecked) {}

    private RegistryProbe() {}

    /** Probes the serdes' registry server; empty with {@code fingerprint} (no server to reach). */
    public static Optional<Info> check(SluiceSerdes serdes) {
        if (serdes.resolvesLocally()) {
            return Optional.empty();
        }
        return Optional.of(check(serdes.registry(), serdes.clientSettings(), TIMEOUT));
    }

    /**
     * Why {@code url} cannot be Sluice's registry URL, judged from its text alone (empty when it may
     * be): not http(s), Apicurio's v2 API, or a Confluent-compatible API.
     */
    public static Optional<String> urlProblem(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return Optional.of("'" + url + "' is not a URL: " + e.getMessage());
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
            return Optional.of("'" + url + "' is not an http(s)://HOST[:PORT]/... URL");
        }
        String path = uri.getPath() == null ? "" : uri.getPath();
        if (path.contains("/apis/registry/v2")) {
            return Optional.of(url + " is Apicurio's v2 API; Sluice's serdes speak Apicurio Registry 3's native API: use "
                    + base(url, "/apis/registry/v2") + NATIVE_API);
        }
        if (path.contains("/apis/ccompat/")) {
            return Optional.of(url + " is Apicurio's Confluent-compatible API, which is for Confluent clients; Sluice's "
                    + "serdes speak only Apicurio's native API: use " + base(url, "/apis/ccompat/") + NATIVE_API
                    + " (see docs/registry.md)");
        }
        return Optional.empty();
    }

    static Info check(String url, Map<String, Object> settings, Duration timeout) {
        urlProblem(url).ifPresent(p -> {
            throw new IllegalArgumentException("--registry " + p);
        });
        String trimmed = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        URI info = URI.create(trimmed + "/system/info");
        String user = setting(settings, "auth.username");
        String password = setting(settings, "auth.password");
        if ((user == null) != (password == null)) {
            throw new IllegalArgumentException("--registry-config sets " + P + "auth."
                    + (user == null ? "password without .username" : "username without .password"));
        }
        boolean oauth = setting(settings, "auth.service.token.endpoint") != null || setting(settings, "auth.client.id") != null;
        boolean tlsUnchecked = "false".equalsIgnoreCase(setting(settings, "tls.verify-host"))
                || setting(settings, "tls.certificates") != null;

        HttpRequest.Builder request = HttpRequest.newBuilder(info).timeout(timeout).header("Accept", "application/json").GET();
        if (user != null) {
            request.header("Authorization", "Basic "
                    + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
        }
        HttpClient client = HttpClient.newBuilder().connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NORMAL).sslContext(sslContext(settings)).build();
        HttpResponse<String> response;
        try {
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.net.http.HttpConnectTimeoutException e) {
            throw new IllegalStateException("cannot reach the schema registry at " + url + " (no connection within "
                    + timeout.toSeconds() + " s); check --registry");
        } catch (HttpTimeoutException e) {
            throw new IllegalStateException("the schema registry at " + url + " did not answer within "
                    + timeout.toSeconds() + " s; check --registry");
        } catch (IOException e) {
            SSLException tls = tlsFailure(e);
            if (tls != null && tlsUnchecked) {
                return new Info(url, "?", "?", Optional.of("TLS with " + P + "tls.verify-host=false or "
                        + P + "tls.certificates is not checked at start (the probe's handshake failed: " + tls.getMessage() + ")"));
            }
            if (tls != null) {
                throw new IllegalStateException("TLS handshake with the schema registry at " + url + " failed ("
                        + tls.getMessage() + "); a registry whose certificate the JVM does not trust needs " + P
                        + "tls.truststore.location (and .type JKS, PKCS12 or PEM, .password) in the file given with "
                        + "--registry-config");
            }
            throw new IllegalStateException("cannot reach the schema registry at " + url + " (" + describe(e, info)
                    + "); check --registry");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reaching the schema registry at " + url);
        }

        int status = response.statusCode();
        if (status == 401 || status == 403) {
            if (oauth && user == null) {
                return new Info(url, "?", "?", Optional.of("OAuth2 client credentials are not checked at start "
                        + "(the registry asked for credentials: HTTP " + status + ")"));
            }
            throw new IllegalStateException("the schema registry at " + url + " refused "
                    + (user == null ? "a request without credentials" : "the credentials of user '" + user + "'")
                    + " (HTTP " + status + " to GET " + info + "); " + CONFIG_HINT + " (" + P + "auth.username and "
                    + P + "auth.password for basic auth; " + P + "auth.service.token.endpoint, .client.id and "
                    + ".client.secret for OAuth2)");
        }
        if (status == 404 || status == 200) {
            Optional<JsonNode> body = json(response.body());
            JsonNode b = body.orElse(null);
            if (status == 200 && b != null && b.isObject() && b.path("name").isTextual() && b.path("version").isTextual()) {
                return new Info(url, b.get("name").asText(), b.get("version").asText(), Optional.empty());
            }
            String what = b != null && b.has("error_code") ? "an answer in a Confluent Schema Registry's shape"
                    : status == 404 ? "no such resource" : "not Apicurio's system info: " + snippet(response.body());
            String path = info.getPath().replaceFirst("/system/info$", "");
            String guess = path.isEmpty() || path.equals("/") ? "; did you mean " + trimmed + NATIVE_API + "?" : "";
            throw new IllegalStateException("--registry " + url + " is not Apicurio Registry 3's native API (GET " + info
                    + " answered HTTP " + status + ", " + what + "): --registry needs an Apicurio Registry 3 URL ending in "
                    + NATIVE_API + "; a Confluent Schema Registry, or Apicurio's Confluent-compatible /apis/ccompat/v7, "
                    + "cannot be used by Sluice's serdes, which speak only Apicurio's API (see docs/registry.md)" + guess);
        }
        throw new IllegalStateException("the schema registry at " + url + " answered HTTP " + status + " to GET " + info
                + ": " + snippet(response.body()));
    }

    private static String setting(Map<String, Object> settings, String key) {
        Object v = settings.get(P + key);
        return v == null || v.toString().isBlank() ? null : v.toString().strip();
    }

    private static SSLException tlsFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SSLException tls) {
                return tls;
            }
        }
        return null;
    }

    private static SSLContext sslContext(Map<String, Object> settings) {
        try {
            if ("true".equalsIgnoreCase(setting(settings, "tls.trust-all"))) {
                SSLContext c = SSLContext.getInstance("TLS");
                c.init(null, new javax.net.ssl.TrustManager[] {new TrustAll()}, null);
                return c;
            }
            String location = setting(settings, "tls.truststore.location");
            if (location == null) {
                return SSLContext.getDefault();
            }
            String type = setting(settings, "tls.truststore.type");
            type = type == null ? "JKS" : type.toUpperCase(java.util.Locale.ROOT);
            String password = setting(settings, "tls.truststore.password");
            KeyStore store;
            try (InputStream in = Files.newInputStream(Path.of(location))) {
                if (type.equals("PEM")) {
                    store = KeyStore.getInstance(KeyStore.getDefaultType());
                    store.load(null, null);
                    int i = 0;
                    for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                        store.setCertificateEntry("ca-" + i++, c);
                    }
                } else {
                    store = KeyStore.getInstance(type);
                    store.load(in, password == null ? null : password.toCharArray());
                }
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            SSLContext c = SSLContext.getInstance("TLS");
            c.init(null, tmf.getTrustManagers(), null);
            return c;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("--registry-config: cannot use the registry trust store "
                    + setting(settings, "tls.truststore.location") + " (" + P + "tls.truststore.*): " + e, e);
        }
    }

    private static Optional<JsonNode> json(String body) {
        try {
            return Optional.ofNullable(new ObjectMapper().readTree(body));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static String snippet(String body) {
        String s = body == null ? "" : body.strip().replaceAll("\\s+", " ");
        return s.isEmpty() ? "(empty body)" : s.length() > 120 ? s.substring(0, 120) + "..." : s;
    }

    private static String describe(Throwable e, URI uri) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.nio.channels.UnresolvedAddressException || t instanceof java.net.UnknownHostException) {
                return "unknown host " + uri.getHost();
            }
            if (t instanceof java.nio.channels.ClosedChannelException || t instanceof java.net.ConnectException
                    && t.getMessage() != null && t.getMessage().contains("refused")) {
                return "connection refused by " + uri.getHost() + ":" + (uri.getPort() < 0 ? uri.getScheme() : uri.getPort());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getClass().getSimpleName() + ": " + t.getMessage();
            if (sb.indexOf(m) < 0) {
                sb.append(sb.length() == 0 ? "" : "; ").append(m);
            }
        }
        return sb.toString();
    }

    private static String base(String url, String marker) {
        return url.substring(0, url.indexOf(marker));
    }

    /** {@code apicurio.registry.tls.trust-all=true}: what the serdes would do, for the probe too (no host check either). */
    private static final class TrustAll extends javax.net.ssl.X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType) {}

        @Override
        public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType, java.net.Socket s) {}

        @Override
        public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType, java.net.Socket s) {}

        @Override
        public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType,
                javax.net.ssl.SSLEngine e) {}

        @Override
        public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType,
                javax.net.ssl.SSLEngine e) {}

        @Override
        public java.security.cert.X509Certificate[] getAcceptedIssuers() {
            return new java.security.cert.X509Certificate[0];
        }
    }
}
