package io.lmadvisor.cli;

/** Parts whose issue has not landed yet say so and exit with this code. */
final class NotBuiltYet {
    static final int EXIT_NOT_BUILT = 3;

    private NotBuiltYet() {
    }
}
