package io.lmadvisor.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * Every error a user sees is one line naming the command and the flag, file or setting: usage
 * errors exit 2, runtime failures 1; {@code --verbose} adds the stack trace. File and port flags
 * are checked before a command runs, so that a directory or a busy port is named, not discovered
 * deep inside a library.
 */
final class CliErrors {
    static final int USAGE = 2;
    static final int FAILURE = 1;

    /** Path flags that name an output file; other path flags are inputs, {@code *-dir} flags folders. */
    private static final List<String> OUTPUT_FLAGS = List.of("--out");

    private static final Pattern QUOTED = Pattern.compile("\"([^\"]*)\"");

    private CliErrors() {}

    static String name(CommandLine cmd) {
        return cmd.getCommandSpec().qualifiedName();
    }

    /** Bad flags: one line and a pointer to --help, not the whole usage text. */
    static int onParameterError(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        String message = ex.getMessage().strip();
        cmd.getErr().println(name(cmd) + ": " + sentence(message) + " See '" + name(cmd) + " --help'.");
        if (LmAdvisor.verbose()) {
            ex.printStackTrace(cmd.getErr());
        }
        return USAGE;
    }

    /** A failure while running: the message as a sentence naming what it can. */
    static int onExecutionError(Exception ex, CommandLine cmd, ParseResult parsed) {
        // A flag value that a command converts itself, or checks against another flag, is still a usage error.
        boolean usage = missingInput(ex, parsed)
                || ex instanceof ConfigException
                || ex instanceof ParameterException
                || ex instanceof CommandLine.TypeConversionException
                || ex instanceof IllegalArgumentException
                        && String.valueOf(ex.getMessage()).startsWith("--");
        int code = usage ? USAGE : FAILURE;
        cmd.getErr().println(name(cmd) + ": " + sentence(describe(ex, parsed)));
        if (LmAdvisor.verbose()) {
            ex.printStackTrace(cmd.getErr());
        }
        return code;
    }

    /** A missing file named by an input flag is the user's mistake, not a failure. */
    private static boolean missingInput(Throwable ex, ParseResult parsed) {
        NoSuchFileException missing = find(ex, NoSuchFileException.class);
        if (missing == null || missing.getFile() == null) {
            return false;
        }
        OptionSpec o = optionFor(leaf(parsed), Path.of(missing.getFile()));
        return o != null
                && !OUTPUT_FLAGS.contains(o.longestName())
                && !o.longestName().endsWith("-dir");
    }

    static String describe(Throwable ex, ParseResult top) {
        ParseResult parsed = leaf(top);
        BindException bind = find(ex, BindException.class);
        if (bind != null) {
            List<String> ports = new ArrayList<>();
            for (OptionSpec o : parsed.commandSpec().options()) {
                if ((o.longestName().endsWith("-port") || o.longestName().equals("--port")) && o.getValue() != null) {
                    ports.add(o.longestName() + " " + o.getValue());
                }
            }
            return "a port it listens on is in use" + (ports.isEmpty() ? "" : " (" + String.join(", ", ports) + ")")
                    + ": " + rootMessage(ex);
        }
        FileSystemException fs = find(ex, FileSystemException.class);
        if (fs != null && fs.getFile() != null) {
            OptionSpec o = optionFor(parsed, Path.of(fs.getFile()));
            String what = o == null ? fs.getFile() : o.longestName() + " " + o.getValue();
            if (fs instanceof NoSuchFileException && o != null && OUTPUT_FLAGS.contains(o.longestName())) {
                return what + " cannot be written: its folder does not exist";
            }
            if (fs instanceof NoSuchFileException) {
                return what + " does not exist"
                        + (o == null || o.getValue().toString().equals(fs.getFile()) ? "" : " (" + fs.getFile() + ")");
            }
            if (fs instanceof AccessDeniedException) {
                return what + " cannot be used: permission denied" + (o == null ? "" : " (" + fs.getFile() + ")");
            }
            return what + " cannot be used: "
                    + (fs.getReason() == null ? fs.getClass().getSimpleName() : fs.getReason())
                    + (o == null ? "" : " (" + fs.getFile() + ")");
        }
        NumberFormatException nfe = find(ex, NumberFormatException.class);
        if (nfe != null && nfe.getMessage() != null) {
            Matcher m = QUOTED.matcher(nfe.getMessage());
            String value = m.find() ? m.group(1) : nfe.getMessage();
            OptionSpec o = optionWithValue(parsed, value);
            if (o != null) {
                String given = o.originalStringValues().stream()
                        .filter(v -> v.contains(value))
                        .findFirst()
                        .orElse(value);
                return o.longestName() + " " + given + ": '" + value + "' is not a number";
            }
            return "'" + value + "' is not a number";
        }
        if (ex instanceof CommandLine.TypeConversionException && ex.getMessage() != null) {
            Matcher m = Pattern.compile("'([^']*)'").matcher(ex.getMessage());
            OptionSpec o = m.find() ? optionWithValue(parsed, m.group(1)) : null;
            if (o != null) {
                return o.longestName() + " " + m.group(1) + ": " + ex.getMessage();
            }
        }
        String message = ex.getMessage();
        if (message == null
                || message.isBlank()
                || ex instanceof NullPointerException
                || ex instanceof ClassCastException
                || ex instanceof IndexOutOfBoundsException) {
            return "internal error (" + ex.getClass().getSimpleName() + (message == null ? "" : ": " + message)
                    + "); --verbose shows where";
        }
        return message;
    }

    /** A command that takes a free port itself when its default port is taken. */
    interface FreePortFallback {}

    /**
     * Checks path and port flags before the command runs. Returns null when all is well, else the
     * exit code after printing the problem.
     */
    static Integer precheck(ParseResult parsed, PrintWriter err) {
        ParseResult leaf = leaf(parsed);
        CommandLine cmd = leaf.commandSpec().commandLine();
        if (leaf.isUsageHelpRequested() || leaf.isVersionHelpRequested()) {
            return null;
        }
        for (OptionSpec o : leaf.commandSpec().options()) {
            Object value = o.getValue();
            String flag = o.longestName();
            if (value instanceof Path p) {
                String problem = pathProblem(flag, p);
                if (problem != null) {
                    err.println(name(cmd) + ": " + flag + " " + p + " " + problem + ".");
                    return USAGE;
                }
            } else if (value instanceof Integer port
                    && port > 0
                    && port <= 65535
                    && (flag.equals("--port") || flag.endsWith("-port"))
                    && (leaf.hasMatchedOption(o) || !(leaf.commandSpec().userObject() instanceof FreePortFallback))) {
                if (!free(port)) {
                    err.println(name(cmd) + ": " + flag + " " + port + " is in use by another process; stop it or"
                            + " choose another " + flag + ".");
                    return FAILURE;
                }
            }
        }
        return null;
    }

    private static OptionSpec optionWithValue(ParseResult parsed, String value) {
        for (OptionSpec o : parsed.matchedOptions()) {
            if (o.originalStringValues().stream().anyMatch(v -> v.contains(value))) {
                return o;
            }
        }
        return null;
    }

    private static ParseResult leaf(ParseResult parsed) {
        ParseResult leaf = parsed;
        while (leaf.hasSubcommand()) {
            leaf = leaf.subcommand();
        }
        return leaf;
    }

    private static String pathProblem(String flag, Path p) {
        if (flag.endsWith("-dir")) {
            return Files.exists(p) && !Files.isDirectory(p) ? "is not a directory" : null;
        }
        if (OUTPUT_FLAGS.contains(flag)) {
            if (Files.isDirectory(p)) {
                return "is a directory; it must name a file to write";
            }
            Path parent = p.toAbsolutePath().getParent();
            if (parent != null && Files.isDirectory(parent) && !Files.isWritable(parent)) {
                return "cannot be written: its folder " + parent + " is not writable";
            }
            return null;
        }
        // A missing input is left to the command, which may first reject the combination of flags.
        if (Files.isDirectory(p)) {
            return "is a directory; it must name a file";
        }
        if (Files.exists(p) && !Files.isReadable(p)) {
            return "cannot be read (permission denied)";
        }
        return null;
    }

    /** True when nothing listens on the port, on loopback or any address. */
    private static boolean free(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The path flag the file belongs to (itself, inside it, or a temporary file beside it). */
    private static OptionSpec optionFor(ParseResult parsed, Path file) {
        for (OptionSpec o : parsed.commandSpec().options()) {
            if (o.getValue() instanceof Path p
                    && (file.startsWith(p) || file.toString().startsWith(p.toString()))) {
                return o;
            }
        }
        return null;
    }

    private static <T extends Throwable> T find(Throwable ex, Class<T> type) {
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }

    private static String rootMessage(Throwable ex) {
        Throwable t = ex;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    /** A capitalised first letter is kept; a missing full stop is added. */
    static String sentence(String message) {
        String m = message.strip();
        int newline = m.indexOf('\n');
        if (newline >= 0) {
            m = m.substring(0, newline).strip();
        }
        return m.endsWith(".") || m.endsWith("?") || m.endsWith("!") ? m : m + ".";
    }
}
