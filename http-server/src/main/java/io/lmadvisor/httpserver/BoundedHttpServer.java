package io.lmadvisor.httpserver;

import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.util.JavalinBindException;
import java.net.BindException;
import java.util.function.Consumer;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The one way lm-advisor builds an HTTP server: Javalin on Jetty 12 with {@link HttpLimits}. Jetty
 * parses requests without holding a thread, so idle or half-sent connections cost no worker; the
 * limits bound threads, queued requests, connections, read and idle time.
 */
public final class BoundedHttpServer implements AutoCloseable {
    private final Javalin app;
    private final String host;
    private final int requestedPort;
    private final String portSetting;

    private BoundedHttpServer(Javalin app, String host, int port, String portSetting) {
        this.app = app;
        this.host = host;
        this.requestedPort = port;
        this.portSetting = portSetting;
    }

    /**
     * Builds (does not start) a server.
     *
     * @param name thread name prefix
     * @param portSetting the flag or setting that chose the port, named when it is busy
     * @param routes adds the routes and exception handlers to the Javalin config
     */
    public static BoundedHttpServer create(
            String name, String host, int port, String portSetting, HttpLimits limits, Consumer<JavalinConfig> routes) {
        Javalin app = Javalin.create(config -> {
            configure(config, name, host, port, limits);
            routes.accept(config);
        });
        return new BoundedHttpServer(app, host, port, portSetting);
    }

    /** Applies the limits and the listener to a Javalin config; for servers built elsewhere. */
    public static void configure(JavalinConfig config, String name, String host, int port, HttpLimits limits) {
        config.startup.showJavalinBanner = false;
        config.startup.showOldJavalinVersionWarning = false;
        config.http.maxRequestSize = limits.maxRequestBytes();
        QueuedThreadPool pool = new QueuedThreadPool(limits.maxThreads(), 2);
        pool.setName(name);
        pool.setDaemon(true);
        // Few threads: reserve none, so the acceptor and selector always get theirs.
        pool.setReservedThreads(0);
        config.jetty.threadPool = pool;
        config.jetty.modifyHttpConfiguration(http -> {
            http.setIdleTimeout(limits.readTimeout().toMillis());
            http.setSendServerVersion(false);
        });
        config.jetty.addConnector((server, http) -> {
            // One acceptor, one selector: enough here and independent of the machine's core count.
            ServerConnector connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
            connector.setHost(host);
            connector.setPort(port);
            connector.setIdleTimeout(limits.idleTimeout().toMillis());
            server.addBean(new NetworkConnectionLimit(limits.maxConnections(), connector));
            return connector;
        });
    }

    /**
     * Starts listening.
     *
     * @throws PortInUseException when the port cannot be bound, naming it and its setting
     */
    public BoundedHttpServer start() {
        try {
            app.start();
        } catch (RuntimeException e) {
            stopQuietly();
            if (e instanceof JavalinBindException || causedByBind(e)) {
                throw new PortInUseException(host, requestedPort, portSetting, e);
            }
            throw e;
        }
        return this;
    }

    private void stopQuietly() {
        try {
            app.stop();
        } catch (RuntimeException ignored) {
            // the start failure is what the caller needs to hear about
        }
    }

    private static boolean causedByBind(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException) {
                return true;
            }
        }
        return false;
    }

    /** The bound port (useful after asking for port 0). */
    public int port() {
        return app.port();
    }

    public String host() {
        return host;
    }

    @Override
    public void close() {
        app.stop();
    }
}
