package io.lmadvisor.serde;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lmadvisor.avro.MigrationAlgorithm;
import io.lmadvisor.avro.MigrationRecommendation;
import io.lmadvisor.registry.MockSchemaRegistry;
import org.apache.avro.util.ClassSecurityValidator;
import org.apache.avro.util.ClassSecurityValidator.ClassSecurityPredicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AvroTrustTest {

    private ClassSecurityPredicate saved;

    @BeforeEach
    void resetToAvroDefault() {
        saved = ClassSecurityValidator.getGlobal();
        ClassSecurityValidator.setGlobal(ClassSecurityValidator.DEFAULT);
    }

    @AfterEach
    void restore() {
        ClassSecurityValidator.setGlobal(saved);
    }

    @Test
    void avroDistrustsGeneratedClassesUntilInstalled() {
        assertThrows(SecurityException.class, () -> ClassSecurityValidator.validate(MigrationRecommendation.class));

        AvroTrust.install();
        AvroTrust.install();

        assertDoesNotThrow(() -> ClassSecurityValidator.validate(MigrationRecommendation.class));
        assertDoesNotThrow(() -> ClassSecurityValidator.validate(MigrationAlgorithm.class));
        assertDoesNotThrow(() -> ClassSecurityValidator.validate(String.class));
        assertThrows(SecurityException.class, () -> ClassSecurityValidator.validate(java.io.File.class));
    }

    @Test
    void deserializerTrustsGeneratedClassesEvenAfterAReset() {
        MockSchemaRegistry registry = new MockSchemaRegistry();
        byte[] bytes = new AvroSerializer<MigrationRecommendation>(registry).serialize("t", Samples.recommendation());
        ClassSecurityValidator.setGlobal(ClassSecurityValidator.DEFAULT);

        AvroDeserializer<MigrationRecommendation> deserializer =
                new AvroDeserializer<>(MigrationRecommendation.class, registry);

        assertDoesNotThrow(() -> ClassSecurityValidator.validate(MigrationRecommendation.class));
        assertEquals(Samples.recommendation(), deserializer.deserialize("t", bytes));
    }

    @Test
    void trustIsLimitedToTheGeneratedPackage() {
        assertTrue(AvroTrust.isGenerated(MigrationRecommendation.Builder.class));
        assertFalse(AvroTrust.isGenerated(AvroTrust.class));
        assertFalse(AvroTrust.isGenerated(java.io.File.class));
    }
}
