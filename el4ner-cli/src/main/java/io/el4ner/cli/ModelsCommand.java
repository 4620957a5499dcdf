package io.el4ner.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.el4ner.core.DefaultEnsemble;
import io.el4ner.hub.HubClient;
import io.el4ner.hub.HubException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code el4ner models}: what the default ensemble needs, its size, and downloading it. */
@Command(name = "models", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        sortOptions = false,
        header = "List the models of the default ensemble and their size; download them with --download.",
        description = {"The default ensemble ('el4ner recognize' without --config) runs three small models "
                + "in-process, downloaded from the Hugging Face Hub into the Hugging Face cache on first use. This "
                + "command lists each model's repository, revision and files with their sizes and the total, and "
                + "whether the cache has them. --download downloads what the cache lacks and checks every file "
                + "against its checksum (progress on stderr).",
                "The Hub, the cache and offline mode come from HF_ENDPOINT, HF_HUB_CACHE (or HF_HOME) and "
                        + "HF_HUB_OFFLINE; a token from HF_TOKEN.",
                "--json prints one JSON object, for other tools:",
                "  {\"models\":[{\"member\",\"repo\",\"revision\",\"variant\",",
                "    \"files\":[{\"path\",\"bytes\"}],\"bytes\"}],\"bytes\"}"},
        footer = {"", "Exit codes: 0 success; 1 the Hub cannot be reached (or is offline) and the cache lacks a "
                + "file, or a download failed."})
final class ModelsCommand implements Callable<Integer> {
    @Option(names = "--download", description = "Download what the cache lacks and verify every file.")
    private boolean download;

    @Option(names = "--json", description = "Print one JSON object instead of the table.")
    private boolean json;

    private final PrintStream out;
    private final PrintStream errStream;
    private final PrintWriter err;
    private final Map<String, String> env;

    ModelsCommand(PrintStream out, PrintStream errStream, PrintWriter err, Map<String, String> env) {
        this.out = out;
        this.errStream = errStream;
        this.err = err;
        this.env = env;
    }

    @Override
    public Integer call() {
        List<DefaultModels.SizedMember> members;
        String cache;
        try (HubClient hub = DefaultModels.client(env, download ? errStream : null)) {
            cache = hub.cacheDir().toString();
            try {
                if (download) {
                    DefaultModels.download(hub, true);
                }
                members = DefaultModels.sizes(hub);
            } catch (HubException e) {
                err.println("error: " + (download ? "downloading" : "listing") + " the default ensemble's models "
                        + "failed: " + e.getMessage() + (hub.offline() ? "" : " (cache: " + hub.cacheDir() + ")"));
                return Main.FAILURE;
            }
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return Main.USAGE;
        } catch (HubException e) { // setting the client up: say, an unreadable token file
            err.println("error: the Hugging Face Hub client cannot be set up: " + e.getMessage());
            return Main.FAILURE;
        }
        out.print(json ? json(members) + "\n" : text(members, cache, download));
        out.flush();
        if (out.checkError()) {
            err.println("error: could not write to stdout");
            return Main.FAILURE;
        }
        return Main.OK;
    }

    /** @return exactly {@code {"models":[{"member","repo","revision","variant","files":[{"path","bytes"}],"bytes"}],"bytes"}} */
    static String json(List<DefaultModels.SizedMember> members) {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = new JsonFactory().createGenerator(w)) {
            g.writeStartObject();
            g.writeArrayFieldStart("models");
            long total = 0;
            for (DefaultModels.SizedMember m : members) {
                g.writeStartObject();
                g.writeStringField("member", m.member().name());
                g.writeStringField("repo", m.member().repo());
                g.writeStringField("revision", m.member().revision());
                g.writeStringField("variant", m.member().variant());
                g.writeArrayFieldStart("files");
                for (DefaultModels.Sized f : m.files()) {
                    g.writeStartObject();
                    g.writeStringField("path", f.path());
                    g.writeNumberField("bytes", f.bytes());
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeNumberField("bytes", m.bytes());
                g.writeEndObject();
                total += m.bytes();
            }
            g.writeEndArray();
            g.writeNumberField("bytes", total);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }

    /** The table: one line per member, its files beneath, the total and where the sizes came from. */
    static String text(List<DefaultModels.SizedMember> members, String cache, boolean downloaded) {
        StringBuilder b = new StringBuilder();
        long total = members.stream().mapToLong(DefaultModels.SizedMember::bytes).sum();
        b.append("The default ensemble (el4ner recognize without --config) needs ").append(members.size())
                .append(" models, ").append(DefaultModels.human(total)).append(" in all:\n");
        for (DefaultModels.SizedMember m : members) {
            DefaultEnsemble.Member d = m.member();
            b.append(String.format(java.util.Locale.ROOT, "  %-8s %s @ %s, %s, %s, %s%n", d.name(), d.repo(),
                    d.revision(), d.variant(), DefaultModels.human(m.bytes()),
                    m.cached() ? (downloaded ? "in the cache, verified" : "in the cache") : "not in the cache"));
            for (DefaultModels.Sized f : m.files()) {
                b.append(String.format(java.util.Locale.ROOT, "             %-24s %10s  (size %s)%n", f.path(),
                        DefaultModels.human(f.bytes()), f.source().shown));
            }
        }
        boolean unpinned = members.stream().anyMatch(m -> !m.member().pinned());
        b.append("Cache: ").append(cache).append('\n');
        if (unpinned) {
            b.append("Revisions named by branch (not a commit hash) can move: sizes are what the Hub or the cache "
                    + "says today.\n");
        }
        if (!downloaded && !members.stream().allMatch(DefaultModels.SizedMember::cached)) {
            b.append("Download them with: el4ner models --download\n");
        }
        return b.toString().replace("\r\n", "\n");
    }
}
