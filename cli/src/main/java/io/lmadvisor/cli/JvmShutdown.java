package io.lmadvisor.cli;

/** Whether the JVM is shutting down (Ctrl-C, SIGTERM): work finishing then is cut short, not a result. */
final class JvmShutdown {
    private JvmShutdown() {}

    static boolean inProgress() {
        // The JDK has no query for it; registering a hook is refused once shutdown has begun.
        Thread probe = new Thread(() -> {});
        try {
            Runtime.getRuntime().addShutdownHook(probe);
            Runtime.getRuntime().removeShutdownHook(probe);
            return false;
        } catch (IllegalStateException e) {
            return true;
        }
    }
}
