package io.lmadvisor.embedded;

import java.util.Optional;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * JUnit 5 extension: one real {@link EmbeddedKafkaBroker} per test class, injected into any
 * constructor, lifecycle or test method parameter of type {@link EmbeddedKafkaBroker}.
 *
 * <p>Use {@code @ExtendWith(EmbeddedKafkaExtension.class)} or {@link WithEmbeddedKafka}. The
 * broker uses a temporary data directory and is closed after the class's last test; nested
 * test classes share their outer class's broker.
 */
public class EmbeddedKafkaExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(EmbeddedKafkaExtension.class);
    private static final String KEY = "broker";

    @Override
    public void beforeAll(ExtensionContext context) {
        brokerFor(context);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        // get() also sees outer classes' stores; close only the broker this class started.
        Holder holder = context.getStore(NAMESPACE).get(KEY, Holder.class);
        if (holder != null && holder.ownerId.equals(context.getUniqueId())) {
            holder.close();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == EmbeddedKafkaBroker.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext)
            throws ParameterResolutionException {
        return brokerFor(extensionContext);
    }

    /** The class-level broker, started on first use (PER_CLASS instances resolve before beforeAll). */
    private static EmbeddedKafkaBroker brokerFor(ExtensionContext context) {
        ExtensionContext classContext = context;
        while (classContext.getTestMethod().isPresent()) {
            classContext = classContext.getParent().orElseThrow();
        }
        ExtensionContext owner = classContext;
        // The store closes AutoCloseable values when the class context ends (backs up afterAll).
        Holder holder = owner.getStore(NAMESPACE)
                .getOrComputeIfAbsent(KEY, k -> new Holder(owner.getUniqueId(), start(owner)), Holder.class);
        return holder.broker;
    }

    private static EmbeddedKafkaBroker start(ExtensionContext context) {
        Optional<WithEmbeddedKafka> options =
                context.getTestClass().flatMap(c -> AnnotationSupport.findAnnotation(c, WithEmbeddedKafka.class));
        EmbeddedKafkaBroker.Builder builder = EmbeddedKafkaBroker.builder();
        options.ifPresent(o -> builder.partitions(o.partitions()).autoCreateTopics(o.autoCreateTopics()));
        return builder.build().start();
    }

    private static final class Holder implements AutoCloseable {
        final String ownerId;
        final EmbeddedKafkaBroker broker;

        Holder(String ownerId, EmbeddedKafkaBroker broker) {
            this.ownerId = ownerId;
            this.broker = broker;
        }

        @Override
        public void close() {
            broker.close();
        }
    }
}
