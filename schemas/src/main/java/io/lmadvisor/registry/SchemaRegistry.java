package io.lmadvisor.registry;

import java.io.Closeable;
import org.apache.avro.Schema;

/**
 * The few schema-registry operations this project needs. Named after the Confluent
 * {@code SchemaRegistryClient} so an adapter to it stays a thin delegation.
 *
 * <p>Every method throws {@link SchemaRegistryException} (or a subclass) on failure.
 */
public interface SchemaRegistry extends Closeable {

    /**
     * Registers the schema under the subject, or returns the id it already has there.
     *
     * @throws IncompatibleSchemaException when the subject's compatibility level forbids it
     * @throws InvalidSchemaException when the registry rejects the schema text
     */
    int register(String subject, Schema schema);

    /**
     * Returns the schema with that global id.
     *
     * @throws SchemaNotFoundException when the id is unknown
     */
    Schema getById(int id);

    /**
     * Looks up the id of a schema already registered under the subject, without registering.
     *
     * @throws SubjectNotFoundException when the subject does not exist
     * @throws SchemaNotFoundException when the schema is not registered under it
     */
    int getIdFor(String subject, Schema schema);

    /**
     * Whether registering the schema under the subject would pass its compatibility level
     * (checked against the latest version; true when the subject has no versions yet).
     */
    boolean testCompatibility(String subject, Schema schema);

    /**
     * Compatibility level (e.g. {@code BACKWARD}) of a subject, falling back to the global level;
     * {@code null} subject reads the global level.
     */
    String getCompatibility(String subjectOrNullForGlobal);

    /** Sets the compatibility level of a subject, or the global level when subject is null. */
    void setCompatibility(String subjectOrNullForGlobal, String level);

    @Override
    default void close() {}
}
