package dev.sluice.rocksdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The repackaged jar that mvn package made (failsafe runs after it) holds RocksDB's classes and
 * only the linux x86_64 glibc library; on such a machine RocksDB loads from that jar alone (its own
 * class loader, not the upstream jar on the test classpath) and writes and reads a key, as Kafka
 * Streams' state stores do.
 */
class ShadedRocksDbIT {
    private static Path shadedJar() throws Exception {
        try (Stream<Path> s = Files.list(Path.of("target"))) {
            List<Path> jars = s.filter(p -> p.getFileName().toString().matches("sluice-rocksdbjni-linux64-.*\\.jar")
                    && !p.getFileName().toString().startsWith("original-")).collect(Collectors.toList());
            assertEquals(1, jars.size(), "one repackaged jar in target/: " + jars);
            return jars.get(0);
        }
    }

    @Test
    void holdsTheClassesAndOnlyTheLinuxX8664Library() throws Exception {
        try (JarFile jar = new JarFile(shadedJar().toFile())) {
            List<String> natives = jar.stream().map(JarEntry::getName)
                    .filter(n -> n.endsWith(".so") || n.endsWith(".dll") || n.endsWith(".jnilib")).collect(Collectors.toList());
            assertEquals(List.of("librocksdbjni-linux64.so"), natives);
            assertTrue(jar.getEntry("org/rocksdb/RocksDB.class") != null, "RocksDB's classes");
            assertTrue(jar.getEntry("org/rocksdb/util/Environment.class") != null, "the loader's platform check");
        }
    }

    @Test
    void rocksDbLoadsFromItAndStoresAKey(@TempDir Path dir) throws Exception {
        assumeTrue("amd64".equals(System.getProperty("os.arch")) && System.getProperty("os.name").startsWith("Linux")
                && !Files.exists(Path.of("/lib/ld-musl-x86_64.so.1")), "the repackaged jar carries linux x86_64 glibc only");
        try (URLClassLoader loader = new URLClassLoader(new URL[] {shadedJar().toUri().toURL()}, ClassLoader.getPlatformClassLoader())) {
            Class<?> rocks = loader.loadClass("org.rocksdb.RocksDB");
            assertEquals(loader, rocks.getClassLoader(), "RocksDB comes from the repackaged jar");
            rocks.getMethod("loadLibrary").invoke(null);
            Object db = rocks.getMethod("open", String.class).invoke(null, dir.resolve("db").toString());
            try {
                byte[] key = "request-1".getBytes(StandardCharsets.UTF_8);
                byte[] value = "vgg".getBytes(StandardCharsets.UTF_8);
                rocks.getMethod("put", byte[].class, byte[].class).invoke(db, key, value);
                Method get = rocks.getMethod("get", byte[].class);
                assertEquals("vgg", new String((byte[]) get.invoke(db, (Object) key), StandardCharsets.UTF_8));
            } finally {
                ((AutoCloseable) db).close();
            }
        }
    }
}
