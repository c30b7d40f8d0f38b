package io.lmadvisor.embedded;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Starts one {@link EmbeddedKafkaBroker} for the annotated test class and injects it into
 * parameters of type {@link EmbeddedKafkaBroker}. Shorthand for
 * {@code @ExtendWith(EmbeddedKafkaExtension.class)} plus broker options.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(EmbeddedKafkaExtension.class)
public @interface WithEmbeddedKafka {

    /** {@code num.partitions} of the broker. */
    int partitions() default 3;

    /** {@code auto.create.topics.enable} of the broker. */
    boolean autoCreateTopics() default false;
}
