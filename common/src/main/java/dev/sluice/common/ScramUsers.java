package dev.sluice.common;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka users that authenticate with SCRAM-SHA-512 over SASL_PLAINTEXT: their passwords, the
 * client properties each component or tenant connects with, and provisioning of credentials and
 * ACLs ({@link AccessPolicy}) through an admin client of the super user.
 *
 * @param passwords user -> password (letters and digits)
 */
public record ScramUsers(Map<String, String> passwords) {
    private static final Logger log = LoggerFactory.getLogger(ScramUsers.class);
    public static final String MECHANISM = "SCRAM-SHA-512";
    /** File of a credential store that holds the passwords (one user=password a line, owner-only). */
    public static final String PASSWORDS_FILE = "passwords.properties";

    public ScramUsers {
        passwords = java.util.Collections.unmodifiableMap(new TreeMap<>(passwords));
    }

    /** The users, not their passwords. */
    @Override
    public String toString() {
        return "ScramUsers" + passwords.keySet();
    }

    /** security.protocol, sasl.mechanism and sasl.jaas.config of a SCRAM-SHA-512 client over SASL_PLAINTEXT. */
    public static Map<String, String> clientProperties(String user, String password) {
        return Map.of("security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", MECHANISM,
                "sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                        + user + "\" password=\"" + password + "\";");
    }

    /** A fresh random password: 32 hex digits. */
    public static String newPassword() {
        byte[] b = new byte[16];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** How {@code user} reaches {@code bootstrap}. */
    public KafkaSettings settings(String bootstrap, String user) {
        String pw = passwords.get(user);
        if (pw == null) {
            throw new IllegalArgumentException("no credential for Kafka user " + user);
        }
        return new KafkaSettings(bootstrap, Map.copyOf(clientProperties(user, pw)));
    }

    /**
     * The store in {@code dir}: its passwords when it has them, and a new password for each of
     * {@code users} it lacks; the store is written back, with one {@code <user>.properties} client
     * file per user for {@code --kafka-config}.
     */
    public static ScramUsers loadOrCreate(Path dir, Iterable<String> users) {
        Path file = dir.resolve(PASSWORDS_FILE);
        Properties p = new Properties();
        try {
            Files.createDirectories(dir);
            if (Files.isRegularFile(file)) {
                try (Reader r = Files.newBufferedReader(file)) {
                    p.load(r);
                }
            }
            for (String u : users) {
                if (p.getProperty(u) == null) {
                    p.setProperty(u, newPassword());
                }
            }
            Map<String, String> m = new TreeMap<>();
            p.forEach((k, v) -> m.put(k.toString(), v.toString()));
            writePrivate(file, w -> p.store(w, "Kafka users of this Sluice cluster (SCRAM-SHA-512)"));
            for (var e : m.entrySet()) {
                Properties c = new Properties();
                c.putAll(clientProperties(e.getKey(), e.getValue()));
                writePrivate(dir.resolve(e.getKey() + ".properties"), w -> c.store(w, "--kafka-config of Kafka user " + e.getKey()));
            }
            return new ScramUsers(m);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep Kafka credentials in " + dir, e);
        }
    }

    private interface WriteTo {
        void write(Writer w) throws IOException;
    }

    private static void writePrivate(Path file, WriteTo body) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (Writer w = Files.newBufferedWriter(tmp)) {
            body.write(w);
        }
        try {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: left as created
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Creates (or resets) every user's credential and the ACLs of {@code rules} through
     * {@code admin} (the super user's), then waits until every user can connect and the ACLs are
     * in force, so that a component started next is not refused while the metadata spreads.
     */
    public void provision(Admin admin, String bootstrap, Map<String, List<AccessPolicy.Rule>> rules) {
        long t0 = System.nanoTime();
        try {
            List<UserScramCredentialAlteration> upserts = new ArrayList<>();
            passwords.forEach((user, pw) -> upserts.add(new UserScramCredentialUpsertion(user,
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), pw)));
            admin.alterUserScramCredentials(upserts).all().get(60, TimeUnit.SECONDS);
            List<AclBinding> acls = AccessPolicy.bindings(rules);
            admin.createAcls(acls).all().get(60, TimeUnit.SECONDS);
            awaitAcls(admin, acls.size());
            for (String user : passwords.keySet()) {
                awaitLogin(bootstrap, user);
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot create the Kafka users and ACLs: " + e, e);
        }
        log.info("{} Kafka users and their ACLs in force in {} ms: {}", passwords.size(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), passwords.keySet());
    }

    private static void awaitAcls(Admin admin, int expected) throws Exception {
        long until = System.currentTimeMillis() + 30_000;
        while (admin.describeAcls(AclBindingFilter.ANY).values().get(30, TimeUnit.SECONDS).size() < expected) {
            if (System.currentTimeMillis() > until) {
                throw new IllegalStateException("the ACLs were not in force within 30 s");
            }
            Thread.sleep(50);
        }
    }

    private void awaitLogin(String bootstrap, String user) throws Exception {
        long until = System.currentTimeMillis() + 30_000;
        Map<String, Object> c = settings(bootstrap, user).clientConfig();
        c.put("request.timeout.ms", 5_000);
        c.put("default.api.timeout.ms", 5_000);
        while (true) {
            try (Admin a = Admin.create(c)) {
                a.describeCluster().nodes().get(10, TimeUnit.SECONDS);
                return;
            } catch (Exception e) {
                if (System.currentTimeMillis() > until) {
                    throw new IllegalStateException("Kafka user " + user + " cannot log in: " + e, e);
                }
                Thread.sleep(100);
            }
        }
    }
}
