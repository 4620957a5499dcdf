package io.el4ner.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code el4ner help [COMMAND | config]}: a command's help, or the configuration reference. The reference is
 * {@code el4ner-cli/CONFIG.md}, copied into the jar by the build, so that it is at hand wherever the jar is.
 */
@Command(name = "help", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        header = "Show the help of a command, or the configuration reference.",
        description = {"'el4ner help COMMAND' prints the help of COMMAND, as 'el4ner COMMAND --help' does; "
                + "'el4ner help' prints el4ner's.",
                "'el4ner help config' prints the configuration reference, the Markdown document that describes "
                        + "the configuration file's fields, the providers and the output (the same text is online, "
                        + "see below)."},
        footer = {"", "Exit codes: 0 success, 2 unknown topic.", "", Main.CONFIG_REFERENCE_1,
                "  " + Main.CONFIG_REFERENCE_URL})
final class HelpCommand implements Callable<Integer> {
    /** The topic that prints the configuration reference. */
    static final String CONFIG_TOPIC = "config";
    /** The configuration reference in the jar, next to this class. */
    static final String REFERENCE_RESOURCE = "CONFIG.md";

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "TOPIC",
            description = "A command (recognize, inspect, score, evaluate, models) or 'config'.")
    private String topic;

    @Override
    public Integer call() {
        CommandLine el4ner = spec.commandLine().getParent();
        PrintWriter out = spec.commandLine().getOut();
        if (topic == null) {
            el4ner.usage(out);
            return Main.OK;
        }
        if (topic.equals(CONFIG_TOPIC)) {
            String reference = reference();
            if (reference == null) {
                spec.commandLine().getErr().println("error: this el4ner.jar lacks its configuration reference ("
                        + REFERENCE_RESOURCE + "); read it at " + Main.CONFIG_REFERENCE_URL);
                return Main.FAILURE;
            }
            out.print(reference);
            out.flush();
            return Main.OK;
        }
        CommandLine command = el4ner.getSubcommands().get(topic);
        if (command != null) {
            command.usage(out);
            return Main.OK;
        }
        List<String> topics = new ArrayList<>(el4ner.getSubcommands().keySet());
        topics.remove(spec.name());
        topics.add(CONFIG_TOPIC);
        String suggestion = JsonChecker.closest(topic, topics);
        PrintWriter err = spec.commandLine().getErr();
        err.println("error: no help topic '" + topic + "'" + (suggestion == null ? "" : " (did you mean '"
                + suggestion + "'?)") + "; topics: " + String.join(", ", topics));
        return Main.USAGE;
    }

    /** @return the configuration reference shipped in the jar, or null when it is missing */
    static String reference() {
        try (InputStream in = HelpCommand.class.getResourceAsStream(REFERENCE_RESOURCE)) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null;
        }
    }
}
