package io.el4ner.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.el4ner.api.ChatMessage;
import io.el4ner.api.ChatRequest;
import io.el4ner.api.ChatResponse;
import io.el4ner.api.El4nerConfigurationException;
import io.el4ner.api.El4nerException;
import io.el4ner.api.NonRetriableBackendException;
import io.el4ner.api.Redaction;
import io.el4ner.api.TokenUsage;
import io.el4ner.api.spi.ModelMember;
import io.el4ner.eval.internal.JsonLinesFile;
import io.el4ner.eval.internal.JsonLinesJournal;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records a member's answers to disk and replays them, so that a run can be repeated bit-identically with no
 * model server, and tests can replay real models' answers.
 *
 * <p>An answer is keyed by the member's name, the model and parameters you describe the member with, and the
 * exact request (every message, the decoding options). The file is JSON Lines, one readable record per answer:
 * {@code {"key", "member", "model", "parameters", "request", "response"}}. Records are appended under a file lock
 * and flushed one by one, so a crash loses at most the answer being written: a last line cut short (at any byte,
 * inside a multi-byte character included) is skipped with a warning when the file is loaded, and cut off before
 * the next answer is appended; a damaged complete line is an error naming the file and line. Parameters whose
 * names look secret by {@link Redaction#isSecretName(String)} ({@code apiKey}, {@code token}, …) are never
 * written and never part of the key.
 *
 * <p>Thread-safe. Closing it closes the wrapped member only if {@link Builder#closeDelegate(boolean)} says so.
 *
 * @since 0.1
 */
public final class RecordReplayMember implements ModelMember {
    private static final Logger log = LoggerFactory.getLogger(RecordReplayMember.class);
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).build();

    /** What to do on a request. */
    public enum Mode {
        /** Answer from the file; a request that was never recorded fails. No backend is called. */
        REPLAY,
        /** Answer from the file when recorded; otherwise ask the member and record its answer. */
        RECORD_MISSING,
        /** Always ask the member and record its answer (appending, even if one was recorded before). */
        RECORD_ALL
    }

    private final String name;
    private final ModelMember delegate;
    private final Path file;
    private final Mode mode;
    private final String model;
    private final Map<String, Object> parameters;
    private final boolean closeDelegate;
    private final Map<String, ChatResponse> answers = new ConcurrentHashMap<>();

    private RecordReplayMember(Builder b) {
        this.name = b.name != null ? b.name : b.delegate.name();
        this.delegate = b.delegate;
        this.file = b.file;
        this.mode = b.mode;
        this.model = b.model;
        this.parameters = publicOnly(b.parameters);
        this.closeDelegate = b.closeDelegate;
        load();
    }

    /**
     * @param file the JSON Lines file of recorded answers; created when recording
     * @return a builder
     */
    public static Builder builder(Path file) {
        return new Builder(file);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int contextTokens() {
        return delegate != null ? delegate.contextTokens() : ModelMember.super.contextTokens();
    }

    @Override
    public int estimateTokens(String text) {
        return delegate != null ? delegate.estimateTokens(text) : ModelMember.super.estimateTokens(text);
    }

    /** @return how many distinct answers are recorded */
    public int recorded() {
        return answers.size();
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
        Objects.requireNonNull(request, "request");
        ObjectNode requestJson = requestJson(request);
        String key = key(requestJson);
        if (mode != Mode.RECORD_ALL) {
            ChatResponse hit = answers.get(key);
            if (hit != null) {
                return hit;
            }
            if (mode == Mode.REPLAY) {
                throw new NonRetriableBackendException(name, "member '" + name + "' has no recorded answer for this "
                        + request.context().stage() + " request (key " + key.substring(0, 12) + ") in " + file
                        + "; record it first");
            }
        }
        ChatResponse response = delegate.chat(request);
        append(key, requestJson, response);
        answers.put(key, response);
        return response;
    }

    @Override
    public void close() {
        if (closeDelegate && delegate != null) {
            delegate.close();
        }
    }

    @Override
    public String toString() {
        return "RecordReplayMember[" + name + ", " + mode + ", " + file + "]";
    }

    private ObjectNode requestJson(ChatRequest request) {
        ObjectNode r = JSON.createObjectNode();
        ArrayNode messages = r.putArray("messages");
        for (ChatMessage m : request.messages()) {
            messages.addObject().put("role", m.role().name().toLowerCase(java.util.Locale.ROOT))
                    .put("content", m.content());
        }
        ObjectNode o = r.putObject("options");
        o.put("temperature", request.options().temperature());
        o.put("maxTokens", request.options().maxTokens());
        o.put("jsonOutput", request.options().jsonOutput());
        return r;
    }

    private String key(ObjectNode requestJson) {
        ObjectNode k = JSON.createObjectNode();
        k.put("member", name);
        k.put("model", model);
        k.set("parameters", JSON.valueToTree(parameters));
        k.set("request", requestJson);
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha.digest(JSON.writeValueAsBytes(k)));
        } catch (NoSuchAlgorithmException | JsonProcessingException e) {
            throw new IllegalStateException("cannot compute a cache key", e);
        }
    }

    private void append(String key, ObjectNode requestJson, ChatResponse response) {
        ObjectNode line = JSON.createObjectNode();
        line.put("key", key);
        line.put("member", name);
        line.put("model", model);
        line.set("parameters", JSON.valueToTree(parameters));
        line.set("request", requestJson);
        ObjectNode r = line.putObject("response");
        r.put("text", response.text());
        r.put("model", response.model());
        r.put("promptTokens", response.usage().promptTokens());
        r.put("completionTokens", response.usage().completionTokens());
        r.put("usageReported", response.usage().reported());
        if (response.truncated()) {
            r.put("truncation", response.truncation());
        }
        String json;
        try {
            json = JSON.writeValueAsString(line);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a recorded answer", e);
        }
        try {
            // a line torn by a crash of an earlier writer is cut off first, never glued to this record
            JsonLinesJournal.appendLocked(file, json);
        } catch (IOException e) {
            throw new El4nerException("cannot append a recorded answer to " + file + ": " + e.getMessage(), e);
        }
    }

    private void load() {
        if (!Files.exists(file)) {
            if (mode == Mode.REPLAY) {
                throw new El4nerConfigurationException("no recorded answers at " + file + ": record them first");
            }
            return;
        }
        List<JsonLinesFile.Record> records;
        try {
            records = JsonLinesFile.read(file, (line, problem) ->
                    new El4nerConfigurationException(file + ": line " + line + " is " + problem));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read recorded answers from " + file, e);
        }
        for (JsonLinesFile.Record record : records) {
            int i = record.line() - 1;
            JsonNode n = record.json();
            JsonNode r = n.path("response");
            if (!n.path("key").isTextual() || !r.path("text").isTextual()) {
                throw new El4nerConfigurationException(file + ": line " + (i + 1)
                        + " lacks 'key' or 'response.text'");
            }
            if (!name.equals(n.path("member").asText())) {
                continue; // several members may share one file
            }
            TokenUsage usage = r.path("usageReported").asBoolean(false)
                    ? TokenUsage.of(r.path("promptTokens").asLong(), r.path("completionTokens").asLong())
                    : TokenUsage.UNREPORTED;
            answers.put(n.get("key").asText(), new ChatResponse(r.get("text").asText(), usage,
                    r.path("model").asText(""), r.path("truncation").asText("")));
        }
        log.debug("{}: {} recorded answers for member '{}'", file, answers.size(), name);
    }

    /** Drops parameters whose names look secret, at any depth. */
    private static Map<String, Object> publicOnly(Map<?, ?> parameters) {
        Map<String, Object> out = new TreeMap<>();
        parameters.forEach((k, v) -> {
            if (!Redaction.isSecretName(String.valueOf(k))) {
                out.put(String.valueOf(k), publicValue(v));
            }
        });
        return out;
    }

    private static Object publicValue(Object v) {
        if (v instanceof Map<?, ?> m) {
            return publicOnly(m);
        }
        if (v instanceof List<?> l) {
            return l.stream().map(RecordReplayMember::publicValue).toList();
        }
        return v;
    }

    /** Configures a {@link RecordReplayMember}. */
    public static final class Builder {
        private final Path file;
        private ModelMember delegate;
        private String name;
        private Mode mode = Mode.RECORD_MISSING;
        private String model = "";
        private Map<String, ?> parameters = Map.of();
        private boolean closeDelegate;

        private Builder(Path file) {
            this.file = Objects.requireNonNull(file, "file");
        }

        /**
         * @param member the member to record; not needed for {@link Mode#REPLAY}
         * @return this builder
         */
        public Builder delegate(ModelMember member) {
            this.delegate = Objects.requireNonNull(member, "member");
            return this;
        }

        /**
         * @param memberName the name to answer under; default the delegate's name (required in replay without one)
         * @return this builder
         */
        public Builder name(String memberName) {
            this.name = Objects.requireNonNull(memberName, "memberName");
            return this;
        }

        /**
         * @param mode replay only, record what is missing (default), or record everything
         * @return this builder
         */
        public Builder mode(Mode mode) {
            this.mode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /**
         * @param modelName the model behind the member, part of the key: a different model never gets the
         *     answers of another
         * @return this builder
         */
        public Builder model(String modelName) {
            this.model = Objects.requireNonNull(modelName, "modelName");
            return this;
        }

        /**
         * @param memberParameters the member's settings that change its answers (secret ones are ignored)
         * @return this builder
         */
        public Builder parameters(Map<String, ?> memberParameters) {
            this.parameters = Map.copyOf(memberParameters);
            return this;
        }

        /**
         * @param close whether closing the recorder closes the delegate; default false
         * @return this builder
         */
        public Builder closeDelegate(boolean close) {
            this.closeDelegate = close;
            return this;
        }

        /**
         * @return the recorder, with the file's answers loaded
         * @throws El4nerConfigurationException without a delegate outside replay mode, without a name, when
         *     replaying a file that does not exist, or when the file has a damaged line (one that ends with its line
         *     break but is not UTF-8, not JSON or not a record), naming the file and the line
         */
        public RecordReplayMember build() {
            if (delegate == null && mode != Mode.REPLAY) {
                throw new El4nerConfigurationException("recording needs a delegate member; only " + Mode.REPLAY
                        + " works without one");
            }
            if (delegate == null && name == null) {
                throw new El4nerConfigurationException("replaying without a delegate needs the member's name");
            }
            return new RecordReplayMember(this);
        }
    }
}
