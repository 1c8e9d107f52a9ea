package dev.sluice.launcher;

import dev.sluice.common.KafkaSettings;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * A command's first contact with Kafka, bounded in time: a plain TCP connect to each bootstrap
 * address (quiet, a few seconds), then one metadata request with the command's client settings.
 * Fails with a message that names the address and what to check, instead of a client retrying
 * for a minute with a warning per attempt.
 */
final class KafkaProbe {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);
    static final Duration METADATA_TIMEOUT = Duration.ofSeconds(15);

    private KafkaProbe() {}

    /**
     * Reaches the cluster and returns its brokers' {@code group.min.session.timeout.ms}, read with
     * the same admin client (empty when it cannot be read: no DescribeConfigs permission, a
     * timeout; the component then keeps the session timeout it was given).
     */
    static java.util.OptionalLong check(KafkaSettings kafka) {
        String bs = kafka.bootstrap();
        String hint = "check --bootstrap; a cluster that needs TLS or SASL takes its client properties "
                + "(security.protocol, sasl.*, ssl.*) from a file given with --kafka-config";
        List<String> failures = new ArrayList<>();
        boolean reached = false;
        for (String address : bs.split(",")) {
            String a = address.strip();
            int colon = a.lastIndexOf(':');
            if (colon <= 0 || colon == a.length() - 1) {
                throw new IllegalArgumentException("bootstrap address '" + a + "' is not HOST:PORT (--bootstrap " + bs + ")");
            }
            int port;
            try {
                port = Integer.parseInt(a.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bootstrap address '" + a + "' has no port number (--bootstrap " + bs + ")");
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(a.substring(0, colon), port), (int) CONNECT_TIMEOUT.toMillis());
                reached = true;
                break;
            } catch (IOException e) {
                failures.add(a + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
            }
        }
        if (!reached) {
            throw new IllegalStateException("cannot reach Kafka at " + bs + " (" + String.join("; ", failures) + "); " + hint);
        }
        Map<String, Object> c = kafka.clientConfig();
        c.put(AdminClientConfig.CLIENT_ID_CONFIG, "sluice-probe");
        c.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) METADATA_TIMEOUT.toMillis());
        c.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) METADATA_TIMEOUT.toMillis());
        c.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 2_000);
        try (Admin admin = Admin.create(c)) {
            var nodes = admin.describeCluster().nodes().get(METADATA_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return minSessionTimeoutMs(admin, nodes);
        } catch (TimeoutException e) {
            throw new IllegalStateException("connected to " + bs + " but got no Kafka metadata within "
                    + METADATA_TIMEOUT.toSeconds() + " s; " + hint);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Kafka at " + bs + " refused the metadata request: " + e.getCause().getMessage()
                    + "; " + hint, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reaching Kafka at " + bs);
        }
    }

    private static java.util.OptionalLong minSessionTimeoutMs(Admin admin, java.util.Collection<org.apache.kafka.common.Node> nodes) {
        if (nodes.isEmpty()) {
            return java.util.OptionalLong.empty();
        }
        var broker = new org.apache.kafka.common.config.ConfigResource(org.apache.kafka.common.config.ConfigResource.Type.BROKER,
                nodes.iterator().next().idString());
        try {
            var entry = admin.describeConfigs(List.of(broker)).all().get(5, TimeUnit.SECONDS).get(broker)
                    .get("group.min.session.timeout.ms");
            return entry == null || entry.value() == null ? java.util.OptionalLong.empty()
                    : java.util.OptionalLong.of(Long.parseLong(entry.value()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return java.util.OptionalLong.empty();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            return java.util.OptionalLong.empty();
        }
    }
}
