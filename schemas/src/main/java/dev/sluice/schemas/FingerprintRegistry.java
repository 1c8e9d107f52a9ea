package dev.sluice.schemas;

import io.apicurio.registry.resolver.client.RegistryArtifactReference;
import io.apicurio.registry.resolver.client.RegistryClientFacade;
import io.apicurio.registry.resolver.client.RegistryVersionCoordinates;
import io.apicurio.registry.resolver.strategy.ArtifactReference;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

/**
 * A schema registry without a server: the id of a schema is derived from the schema itself
 * (its Avro parsing fingerprint, masked to 31 bits because the Confluent wire format carries a
 * signed 4-byte id), so separate processes that know the same schemas agree on every id.
 *
 * <p>Writers register what they write; readers resolve ids against every schema the
 * {@code schemas} module ships, current and historical ({@link KnownSchemas}). An id nobody
 * knows fails with a message naming it.
 */
public final class FingerprintRegistry implements RegistryClientFacade {
    private final Map<Long, String> byId = new ConcurrentHashMap<>();

    public FingerprintRegistry(Iterable<Schema> known) {
        for (Schema s : known) {
            register(s.toString());
        }
    }

    /** The registry preloaded with every schema Sluice ships. */
    public static FingerprintRegistry withKnownSchemas() {
        return new FingerprintRegistry(KnownSchemas.all());
    }

    public static long idOf(Schema schema) {
        return SchemaNormalization.parsingFingerprint64(schema) & 0x7fff_ffffL;
    }

    long register(String content) {
        long id = idOf(new Schema.Parser().setValidateDefaults(false).parse(content));
        byId.putIfAbsent(id, content);
        return id;
    }

    @Override
    public String getSchemaByContentId(Long contentId) {
        String s = byId.get(contentId);
        if (s == null) {
            throw new UnknownSchemaIdException(contentId);
        }
        return s;
    }

    @Override
    public String getSchemaByGlobalId(long globalId, boolean dereferenced) {
        return getSchemaByContentId(globalId);
    }

    @Override
    public String getSchemaByGAV(String group, String artifactId, String version) {
        throw new UnsupportedOperationException("the fingerprint registry resolves schemas by id only");
    }

    @Override
    public String getSchemaByContentHash(String contentHash) {
        throw new UnsupportedOperationException("the fingerprint registry resolves schemas by id only");
    }

    @Override
    public List<RegistryArtifactReference> getReferencesByContentId(long contentId) {
        return List.of();
    }

    @Override
    public List<RegistryArtifactReference> getReferencesByGlobalId(long globalId) {
        return List.of();
    }

    @Override
    public List<RegistryArtifactReference> getReferencesByGAV(String group, String artifactId, String version) {
        return List.of();
    }

    @Override
    public List<RegistryArtifactReference> getReferencesByContentHash(String contentHash) {
        return List.of();
    }

    @Override
    public List<RegistryVersionCoordinates> searchVersionsByContent(
            String content, String artifactType, ArtifactReference reference, boolean canonical) {
        long id = register(content);
        return List.of(coordinates(id, reference.getGroupId(), reference.getArtifactId()));
    }

    @Override
    public RegistryVersionCoordinates createSchema(String artifactType, String groupId, String artifactId,
            String version, String autoCreateBehavior, boolean canonical, String content,
            Set<RegistryArtifactReference> references) {
        long id = register(content);
        return coordinates(id, groupId, artifactId);
    }

    @Override
    public RegistryVersionCoordinates getVersionCoordinatesByGAV(String groupId, String artifactId, String version) {
        throw new UnsupportedOperationException("the fingerprint registry resolves schemas by id only");
    }

    @Override
    public Object getClient() {
        return null;
    }

    private static RegistryVersionCoordinates coordinates(long id, String group, String artifactId) {
        return RegistryVersionCoordinates.create(id, id, group == null ? "default" : group, artifactId,
                Long.toString(id));
    }

    /** A record names a schema id that no schema shipped with this build has. */
    public static final class UnknownSchemaIdException extends RuntimeException {
        public UnknownSchemaIdException(long id) {
            super("unknown schema id " + id + ": not one of the schemas this build of Sluice knows"
                    + " (is the writer newer, or not Sluice?)");
        }
    }
}
