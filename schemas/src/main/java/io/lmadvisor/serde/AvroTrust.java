package io.lmadvisor.serde;

import org.apache.avro.util.ClassSecurityValidator;
import org.apache.avro.util.ClassSecurityValidator.ClassSecurityPredicate;

/**
 * Lets Avro 1.12 instantiate the generated classes while decoding. Avro refuses classes outside
 * java.lang unless trusted, and reads its SERIALIZABLE_PACKAGES property only once at class load,
 * so setting that property from code is unreliable; extending the global validator is not.
 */
public final class AvroTrust {

    /** Package of the classes generated from src/main/avro. */
    public static final String TRUSTED_PACKAGE = "io.lmadvisor.avro";

    private static final ClassSecurityPredicate GENERATED_CLASSES =
            type -> type.getName().startsWith(TRUSTED_PACKAGE + ".");

    private static ClassSecurityPredicate installed;

    private AvroTrust() {}

    /** True for classes in {@link #TRUSTED_PACKAGE} and its subpackages. */
    public static boolean isGenerated(Class<?> type) {
        return GENERATED_CLASSES.isTrusted(type);
    }

    /**
     * Adds the generated package to Avro's global validator, keeping whatever it trusted before.
     * Cheap and idempotent; safe to call from every constructor.
     */
    public static synchronized void install() {
        ClassSecurityPredicate current = ClassSecurityValidator.getGlobal();
        if (current == installed) {
            return;
        }
        installed = ClassSecurityValidator.composite(current, GENERATED_CLASSES);
        ClassSecurityValidator.setGlobal(installed);
    }
}
