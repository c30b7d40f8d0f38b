package io.lmadvisor.cli;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import org.slf4j.bridge.SLF4JBridgeHandler;

/** Routes java.util.logging (Tribuo) into SLF4J and applies {@code --verbose}. */
final class Logging {
    private Logging() {}

    static void configure(boolean verbose) {
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        java.util.logging.Logger.getLogger("")
                .setLevel(verbose ? java.util.logging.Level.INFO : java.util.logging.Level.WARNING);
        if (verbose) {
            Configurator.setLevel("io.lmadvisor", Level.DEBUG);
            Configurator.setLevel("org.apache.kafka", Level.INFO);
            Configurator.setLevel("kafka", Level.INFO);
            Configurator.setLevel("org.rocksdb", Level.INFO);
            Configurator.setLevel("org.tribuo", Level.INFO);
            Configurator.setLevel("ml.dmlc", Level.INFO);
        }
    }
}
