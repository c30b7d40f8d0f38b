package io.lmadvisor.httpserver;

/** A server could not bind its port; the message is one sentence naming the port and its setting. */
public final class PortInUseException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int port;

    public PortInUseException(String host, int port, String setting, Throwable cause) {
        super(
                "Port " + port + " on " + host + " (" + setting + ") is already in use or cannot be"
                        + " bound; stop what uses it or choose another port with " + setting + ".",
                cause);
        this.port = port;
    }

    public int port() {
        return port;
    }
}
