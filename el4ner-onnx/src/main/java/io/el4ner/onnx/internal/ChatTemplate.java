package io.el4ner.onnx.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import io.el4ner.api.ChatMessage;
import io.el4ner.api.El4nerConfigurationException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A model's own chat template (Jinja, as in the Hugging Face {@code tokenizer_config.json}), rendered with jinjava
 * so that the prompt is byte for byte what Python's transformers ({@code apply_chat_template}) would give the model.
 *
 * <p>jinjava is configured like transformers' jinja2 environment: {@code trim_blocks} and {@code lstrip_blocks}, the
 * legacy overrides that make <code>{{-</code> and <code>-}}</code> trim as jinja2 does, and a
 * {@code raise_exception(message)} function whose message becomes this class's error. The variables are {@code messages} (maps with {@code role}
 * {@code system}, {@code user} or {@code assistant} and {@code content}), {@code add_generation_prompt}, and
 * {@code bos_token} / {@code eos_token} when the tokenizer has them. transformers also defines {@code strftime_now};
 * it is left out, so a template that prints today's date (Llama 3.x) prints its own fixed fallback date instead
 * and a prompt does not change from one day to the next.
 *
 * <p>Where jinjava is more lenient than jinja2, it is made to fail as jinja2 does, so that a template mistake is an
 * error rather than a silently different prompt: an unknown filter or test ({@code No filter named ...}), an
 * attribute or item of an undefined value ({@code messages[0].nosuch.deeper}, {@code nosuch.x}, {@code nosuch.strip()};
 * jinja2's {@code UndefinedError}), an unknown tag or function and a syntax error, whatever severity jinjava gives
 * it. As in jinja2, an undefined value itself prints as nothing, is false, and {@code is defined} says so; unlike
 * jinja2, jinjava does not tell an undefined value from {@code none}, so an attribute of {@code none} fails too.
 *
 * <p>Message contents are data: with nested interpretation off, a {@code {{ ... }}} or {@code {% ... %}} in a
 * message is printed as written, never evaluated (otherwise text from users could run template code). A render is
 * bounded: at most {@value #MAX_OUTPUT_CHARS} characters of output and {@value #MAX_RENDER_STEPS} rendered nodes
 * (a node in a loop body counts once per iteration), so a hostile or broken template fails with a clear error instead of
 * filling the heap or spinning.
 *
 * <p>Instances are immutable and thread-safe: one may be shared by every thread of a model.
 */
public final class ChatTemplate {
    /** The most characters a rendering may produce; prompts of small models are far shorter. */
    public static final long MAX_OUTPUT_CHARS = 8L * 1024 * 1024;
    /** The most template nodes one rendering may render. */
    public static final int MAX_RENDER_STEPS = 1_000_000;

    private static final String TEMPLATE_FILE = "chat_template.jinja";
    private static final String TOKENIZER_CONFIG = "tokenizer_config.json";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Steps left to the rendering running on this thread; null outside a rendering. */
    private static final ThreadLocal<int[]> STEPS_LEFT = new ThreadLocal<>();
    private static final Jinjava JINJAVA = newJinjava();

    private final String template;
    private final String bosToken;
    private final String eosToken;
    private final String source;

    private ChatTemplate(String template, String bosToken, String eosToken, String source) {
        this.template = Objects.requireNonNull(template, "template");
        this.bosToken = bosToken;
        this.eosToken = eosToken;
        this.source = source;
    }

    /**
     * Reads a model directory's chat template: {@code chat_template.jinja} if present, else the
     * {@code chat_template} of {@code tokenizer_config.json} (a string, or a list of named templates of which the
     * one named {@code default} is taken). The bos and eos tokens come from {@code tokenizer_config.json}.
     *
     * @param dir a model directory (Hugging Face layout)
     * @return the template
     * @throws IOException if a file exists but cannot be read
     * @throws El4nerConfigurationException if neither file has a template, or tokenizer_config.json is malformed
     */
    public static ChatTemplate fromModelDirectory(Path dir) throws IOException {
        Objects.requireNonNull(dir, "dir");
        Path templateFile = dir.resolve(TEMPLATE_FILE);
        Path configFile = dir.resolve(TOKENIZER_CONFIG);
        JsonNode config = null;
        if (Files.isRegularFile(configFile)) {
            try {
                config = JSON.readTree(configFile.toFile());
            } catch (JsonProcessingException e) {
                throw new El4nerConfigurationException(configFile.toAbsolutePath() + " is not valid JSON: "
                        + e.getOriginalMessage(), e);
            }
        }
        String bos = config == null ? null : token(config.get("bos_token"));
        String eos = config == null ? null : token(config.get("eos_token"));
        if (Files.isRegularFile(templateFile)) {
            return new ChatTemplate(Files.readString(templateFile, StandardCharsets.UTF_8), bos, eos,
                    templateFile.toAbsolutePath().toString());
        }
        JsonNode node = config == null ? null : config.get("chat_template");
        if (node == null || node.isNull()) {
            throw new El4nerConfigurationException("model directory " + dir.toAbsolutePath() + " has no chat template: "
                    + "no " + TEMPLATE_FILE + " and " + (config == null ? "no " + TOKENIZER_CONFIG
                    : "no \"chat_template\" in " + TOKENIZER_CONFIG)
                    + " (instruct models ship one; a base model cannot be used as a chat member)");
        }
        String where = configFile.toAbsolutePath() + " (chat_template)";
        if (node.isTextual()) {
            return new ChatTemplate(node.asText(), bos, eos, where);
        }
        if (node.isArray()) {
            List<String> names = new ArrayList<>();
            for (JsonNode named : node) {
                String name = named.path("name").asText(null);
                names.add(name);
                if ("default".equals(name) && named.path("template").isTextual()) {
                    return new ChatTemplate(named.get("template").asText(), bos, eos, where + " \"default\"");
                }
            }
            throw new El4nerConfigurationException(where + " lists named templates " + names
                    + " but none named \"default\"");
        }
        throw new El4nerConfigurationException(where + " must be a string or a list of {name, template}, found "
                + node.getNodeType().toString().toLowerCase(Locale.ROOT));
    }

    /**
     * @param template the Jinja chat template
     * @param bosToken the tokenizer's beginning-of-sequence token, or null when it has none
     * @param eosToken the tokenizer's end-of-sequence token, or null when it has none
     * @return the template
     */
    public static ChatTemplate of(String template, String bosToken, String eosToken) {
        return new ChatTemplate(template, bosToken, eosToken, "chat template");
    }

    /**
     * Renders messages as the model expects them.
     *
     * @param messages the conversation, in order
     * @param addGenerationPrompt whether to end with the opening of an assistant turn, for the model to complete
     * @return the prompt text, special tokens written out as text
     * @throws El4nerConfigurationException if the template raises (its own message is kept), does not parse, or
     *         exceeds the output or step bounds
     */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        Objects.requireNonNull(messages, "messages");
        List<Map<String, Object>> list = new ArrayList<>(messages.size());
        for (ChatMessage m : messages) {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("role", m.role().name().toLowerCase(Locale.ROOT));
            map.put("content", m.content());
            list.add(map);
        }
        Map<String, Object> bindings = new HashMap<>();
        bindings.put("messages", list);
        bindings.put("add_generation_prompt", addGenerationPrompt);
        if (bosToken != null) {
            bindings.put("bos_token", bosToken);
        }
        if (eosToken != null) {
            bindings.put("eos_token", eosToken);
        }
        RenderResult result;
        int[] previous = STEPS_LEFT.get();
        STEPS_LEFT.set(new int[] {MAX_RENDER_STEPS});
        try {
            result = JINJAVA.renderForResult(template, bindings);
        } catch (TemplateRaised e) {
            throw raised(e);
        } catch (TooManySteps e) {
            throw tooManySteps();
        } catch (RuntimeException e) {
            TemplateRaised r = cause(e, TemplateRaised.class);
            if (r != null) {
                throw raised(r);
            }
            if (cause(e, TooManySteps.class) != null) {
                throw tooManySteps();
            }
            StrictJinjava.NotJinja2 n = cause(e, StrictJinjava.NotJinja2.class);
            if (n != null) {
                throw notJinja2(n, 0);
            }
            throw new El4nerConfigurationException(source + " failed to render: " + e.getMessage(), e);
        } finally {
            STEPS_LEFT.set(previous);
        }
        for (TemplateError error : result.getErrors()) {
            TemplateRaised r = cause(error.getException(), TemplateRaised.class);
            if (r != null) {
                throw raised(r);
            }
            if (cause(error.getException(), TooManySteps.class) != null) {
                throw tooManySteps();
            }
            StrictJinjava.NotJinja2 n = cause(error.getException(), StrictJinjava.NotJinja2.class);
            if (n != null) {
                throw notJinja2(n, error.getLineno());
            }
        }
        for (TemplateError error : result.getErrors()) {
            if (error.getSeverity() == TemplateError.ErrorType.FATAL || isFatal(error)) {
                String message = error.getMessage();
                if (error.getReason() == TemplateError.ErrorReason.OUTPUT_TOO_BIG) {
                    message = "its output exceeds " + MAX_OUTPUT_CHARS + " characters (" + message + ")";
                }
                throw new El4nerConfigurationException(source + " failed to render"
                        + (error.getLineno() > 0 ? " at line " + error.getLineno() : "") + ": " + message,
                        error.getException());
            }
        }
        return result.getOutput();
    }

    /** @return where the template came from, for messages */
    public String source() {
        return source;
    }

    @Override
    public String toString() {
        return "ChatTemplate[" + source + "]";
    }

    /**
     * The {@code raise_exception} function of chat templates. Public only because jinjava calls it reflectively.
     *
     * @param message the template's message
     * @return never
     */
    public static String raiseException(Object message) {
        throw new TemplateRaised(String.valueOf(message));
    }

    private El4nerConfigurationException raised(TemplateRaised e) {
        return new El4nerConfigurationException(source + " raised an error: " + e.getMessage(), e);
    }

    private El4nerConfigurationException notJinja2(StrictJinjava.NotJinja2 e, int line) {
        return new El4nerConfigurationException(source + " failed to render" + (line > 0 ? " at line " + line : "")
                + ": " + e.getMessage(), e);
    }

    /**
     * Errors that jinja2 raises, whatever severity jinjava gives them: syntax errors, and unknown or disabled tags,
     * filters, tests and functions. (An unknown attribute of a defined value prints as nothing in both.)
     */
    private static boolean isFatal(TemplateError error) {
        TemplateError.ErrorReason reason = error.getReason();
        TemplateError.ErrorItem item = error.getItem();
        return reason == TemplateError.ErrorReason.SYNTAX_ERROR || reason == TemplateError.ErrorReason.DISABLED
                || item == TemplateError.ErrorItem.TAG || item == TemplateError.ErrorItem.FILTER
                || item == TemplateError.ErrorItem.EXPRESSION_TEST || item == TemplateError.ErrorItem.FUNCTION;
    }

    private El4nerConfigurationException tooManySteps() {
        return new El4nerConfigurationException(source + " failed to render: more than " + MAX_RENDER_STEPS
                + " template steps (a loop that does not end in reasonable time?)");
    }

    private static Jinjava newJinjava() {
        JinjavaConfig config = JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                .withLegacyOverrides(LegacyOverrides.newBuilder()
                        .withParseWhitespaceControlStrictly(true)
                        .withUseTrimmingForNotesAndExpressions(true)
                        .build())
                .withNestedInterpretationEnabled(false)
                .withMaxOutputSize(MAX_OUTPUT_CHARS)
                .withMaxStringLength(MAX_OUTPUT_CHARS)
                .withNodePreProcessor((node, interpreter) -> step())
                .build();
        Jinjava jinjava = new StrictJinjava(config);
        jinjava.registerFunction(new ELFunctionDefinition("", "raise_exception", ChatTemplate.class,
                "raiseException", Object.class));
        return jinjava;
    }

    private static void step() {
        int[] left = STEPS_LEFT.get();
        if (left != null && --left[0] < 0) {
            throw new TooManySteps();
        }
    }

    private static String token(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isTextual()) {
            return node.asText();
        }
        // older tokenizer_config.json files write {"__type": "AddedToken", "content": "<s>", ...}
        JsonNode content = node.get("content");
        return content != null && content.isTextual() ? content.asText() : null;
    }

    private static <T extends Throwable> T cause(Throwable t, Class<T> type) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
        }
        return null;
    }

    /** What {@code raise_exception} throws inside jinjava. */
    static final class TemplateRaised extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TemplateRaised(String message) {
            super(message, null, false, false);
        }
    }

    /** Thrown inside jinjava when a rendering runs out of steps. */
    static final class TooManySteps extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TooManySteps() {
            super("too many template steps", null, false, false);
        }
    }
}
