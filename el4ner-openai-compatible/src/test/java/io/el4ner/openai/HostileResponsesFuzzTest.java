package io.el4ner.openai;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.el4ner.api.ChatMessage;
import io.el4ner.api.ChatRequest;
import io.el4ner.api.ChatResponse;
import io.el4ner.api.Diagnostic;
import io.el4ner.api.GenerationOptions;
import io.el4ner.api.ModelMemberException;
import io.el4ner.api.Redaction;
import io.el4ner.api.Stage;
import io.el4ner.api.TaskContext;
import io.el4ner.openai.internal.ResponseReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A seeded fuzz test of hostile servers (issue 10): thousands of generated HTTP answers (odd statuses, headers that
 * echo the key, truncated and garbage JSON, wrong types, deep nesting, huge fields, the planted secrets echoed in
 * every form and at every offset) served on loopback by the JDK's HTTP server to real members, and more bodies fed
 * to {@link ResponseReader} directly. Every call must end in an answer or a {@link ModelMemberException}; no planted
 * secret, nor a 4-character prefix of one, may reach an exception message, a log line (DEBUG included), an answer's
 * model name or a diagnostic made from an answer; and every case must be quick.
 */
@Timeout(240)
class HostileResponsesFuzzTest {
    static final long SEED = 20_261_202L;
    static final int HTTP_CASES = 6_000;
    static final int DIRECT_CASES = 10_000;
    /** The members' API key (sent as a bearer token) and an extraBody password with characters that get escaped. */
    static final String KEY = "sk-fuzz-planted-7Qx2Lm9Rt4Vb8Nc1";
    static final String BODY_KEY = "pw-fuzz/extra+3Hs6 Jd0Kf5Gw\"q";
    private static final List<String> SECRETS = List.of(KEY, BODY_KEY);
    private static final Pattern CASE = Pattern.compile("case #(\\d+)#");
    private static final int[] STATUSES = {200, 201, 203, 204, 206, 299, 301, 302, 303, 304, 307, 308, 400, 401,
        403, 404, 405, 408, 409, 413, 415, 418, 422, 429, 431, 451, 500, 501, 502, 503, 504, 507, 520, 599};

    static {
        // The JDK's server sends headers and body in separate packets: without this, each exchange waits ~40 ms
        // for a delayed ACK (Nagle). Also set for the whole test run in the module's pom.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    /** One generated server answer. */
    record Case(int status, List<String[]> headers, byte[] body, boolean chunked) {
    }

    @Test
    void chat_hostileServers_causeNoCrashNoLeakAndNoStall() throws Exception {
        Random random = new Random(SEED);
        List<Case> cases = new ArrayList<>(HTTP_CASES);
        for (int i = 0; i < HTTP_CASES; i++) {
            cases.add(generate(random));
        }
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        ExecutorService serverThreads = Executors.newFixedThreadPool(4);
        server.setExecutor(serverThreads);
        server.createContext("/", exchange -> serve(exchange, cases));
        server.start();
        String url = "http://127.0.0.1:" + server.getAddress().getPort();
        List<String> problems = new ArrayList<>();
        long slowest = 0;
        int answered = 0;
        int failed = 0;
        long t0 = System.nanoTime();
        String log;
        try (LogCapture logs = new LogCapture(OpenAiCompatibleMember.class.getName());
             OpenAiCompatibleMember openai = member(url, Flavor.OPENAI).name("openai").build();
             OpenAiCompatibleMember ollama = member(url, Flavor.OLLAMA).name("ollama").build();
             OpenAiCompatibleMember prompt = member(url, Flavor.PROMPT_ONLY).name("prompt").build();
             OpenAiCompatibleMember retrying = member(url, Flavor.VLLM).name("retrying").maxAttempts(2)
                     .retryDelays(Duration.ZERO, Duration.ofMillis(1)).circuitBreaker(1, Duration.ofMillis(1))
                     .build()) {
            List<OpenAiCompatibleMember> members = List.of(openai, ollama, prompt, retrying);
            for (int i = 0; i < HTTP_CASES; i++) {
                Case c = cases.get(i);
                boolean waits = c.headers.stream().anyMatch(h -> h[0].toLowerCase().startsWith("retry-after"));
                OpenAiCompatibleMember m = members.get(waits ? i % 3 : i % 4);
                long start = System.nanoTime();
                try {
                    ChatResponse r = m.chat(request(i));
                    answered++;
                    checkNoLeak(problems, i, "model name", r.model());
                    Diagnostic d = new Diagnostic(Diagnostic.Kind.UNPARSEABLE_OUTPUT, Stage.EXTRACTION, m.name(),
                            "no JSON in " + r.text(), r.text());
                    checkNoLeak(problems, i, "diagnostic", d.message() + d.detail());
                } catch (ModelMemberException e) {
                    failed++;
                    checkNoLeak(problems, i, "exception", e.toString());
                } catch (Throwable t) {
                    problems.add("case " + i + " (status " + c.status + "): unexpected " + t);
                }
                slowest = Math.max(slowest, System.nanoTime() - start);
            }
            log = logs.text();
        } finally {
            server.stop(0);
            serverThreads.shutdownNow();
        }
        long millis = (System.nanoTime() - t0) / 1_000_000;
        checkNoLeak(problems, -1, "log", log);
        System.out.printf("fuzz over HTTP: seed %d, %d cases (%d answered, %d failed), %d ms, slowest %d ms, "
                + "%d KB of logs%n", SEED, HTTP_CASES, answered, failed, millis, slowest / 1_000_000,
                log.length() / 1024);
        assertThat(problems).isEmpty();
        assertThat(answered + failed).isEqualTo(HTTP_CASES);
        assertThat(answered).as("the generator makes good answers too").isGreaterThan(HTTP_CASES / 10);
        assertThat(Duration.ofNanos(slowest)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void read_hostileBodies_causeOnlyMalformedAnswersAndNoLeak() {
        Random random = new Random(SEED + 1);
        List<String> problems = new ArrayList<>();
        int malformed = 0;
        long t0 = System.nanoTime();
        try (Redaction.Registration a = Redaction.register(KEY);
             Redaction.Registration b = Redaction.register(BODY_KEY)) {
            for (int i = 0; i < DIRECT_CASES; i++) {
                byte[] body = body(random, 16 * 1024);
                Flavor flavor = random.nextBoolean() ? Flavor.OPENAI : Flavor.OLLAMA;
                try {
                    checkNoLeak(problems, i, "excerpt", ResponseReader.excerpt(body));
                    checkNoLeak(problems, i, "error message", ResponseReader.errorMessage(body).orElse(""));
                    io.el4ner.openai.internal.Answer answer = ResponseReader.read(flavor, body, "application/json");
                    Diagnostic d = new Diagnostic(Diagnostic.Kind.UNPARSEABLE_OUTPUT, Stage.EXTRACTION, "m",
                            answer.model(), answer.text());
                    checkNoLeak(problems, i, "diagnostic", d.message() + d.detail());
                } catch (ResponseReader.MalformedAnswerException e) {
                    malformed++;
                    checkNoLeak(problems, i, "malformed answer", e.getMessage());
                } catch (RuntimeException | StackOverflowError e) {
                    problems.add("case " + i + ": unexpected " + e);
                }
            }
        }
        System.out.printf("fuzz of the reader: seed %d, %d bodies (%d malformed), %d ms%n", SEED + 1, DIRECT_CASES,
                malformed, (System.nanoTime() - t0) / 1_000_000);
        assertThat(problems).isEmpty();
    }

    private static OpenAiCompatibleMember.Builder member(String url, Flavor flavor) {
        return OpenAiCompatibleMember.builder().model("m").baseUrl(url + "/v1").flavor(flavor).apiKey(KEY)
                .extraBody(Map.of("options", Map.of("password", BODY_KEY), "top_k", 1)).maxAttempts(1)
                .circuitBreaker(0, Duration.ofSeconds(1)).maxResponseBytes(128 * 1024)
                .requestTimeout(Duration.ofSeconds(5)).callTimeout(Duration.ofSeconds(10));
    }

    private static ChatRequest request(int i) {
        return new ChatRequest(List.of(ChatMessage.system(Stubs.EXTRACTION_SYSTEM),
                ChatMessage.user("case #" + i + "# Sentence: " + Stubs.SENTENCE)), GenerationOptions.greedyJson(256),
                new TaskContext(Stage.EXTRACTION, Stubs.SENTENCE, Stubs.TYPES, List.of(), List.of(), List.of()));
    }

    private static void serve(HttpExchange exchange, List<Case> cases) throws IOException {
        try (exchange; InputStream in = exchange.getRequestBody()) {
            String request = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            Matcher m = CASE.matcher(request);
            if (!m.find()) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            Case c = cases.get(Integer.parseInt(m.group(1)));
            for (String[] h : c.headers) {
                exchange.getResponseHeaders().add(h[0], h[1]);
            }
            boolean noBody = c.status == 204 || c.status == 304 || c.body.length == 0;
            exchange.sendResponseHeaders(c.status, noBody ? -1 : c.chunked ? 0 : c.body.length);
            if (!noBody) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(c.body);
                }
            }
        } catch (IOException e) {
            // the client gave up on a large body: fine
        }
    }

    private static Case generate(Random r) {
        int status = r.nextInt(10) < 6 ? 200 : STATUSES[r.nextInt(STATUSES.length)];
        List<String[]> headers = new ArrayList<>();
        String[] types = {"application/json", "text/html; charset=utf-8", "application/json; charset=latin1",
            "text/plain", "application/x-" + KEY, "Bearer " + KEY, "x".repeat(3000)};
        if (r.nextInt(5) > 0) {
            headers.add(new String[] {"Content-Type", types[r.nextInt(types.length)]});
        }
        if (r.nextInt(4) == 0) {
            headers.add(new String[] {"Location", pick(r, "http://evil.example/?api_key=" + KEY,
                    "http://user:" + urlEncoded(BODY_KEY) + "@evil.example/v1", "/v1/" + KEY, "x".repeat(5000),
                    "https://ok.example/v1")});
        }
        if (r.nextInt(6) == 0) {
            headers.add(new String[] {pick(r, "Retry-After", "retry-after-ms"), pick(r, "0", "-1", "1e309", "NaN",
                    "99999999999999999999", "Wed, 21 Oct 2015 07:28:00 GMT", KEY, "0.001", "Infinity", "")});
        }
        if (r.nextInt(4) == 0) {
            headers.add(new String[] {pick(r, "X-Echo", "Server", "WWW-Authenticate"), pick(r,
                    "Bearer " + KEY, "llama.cpp " + KEY, "Basic realm=" + urlEncoded(BODY_KEY), "vllm")});
        }
        return new Case(status, headers, body(r, 160 * 1024), r.nextInt(4) == 0);
    }

    /** A hostile body: mostly JSON of the right shape with hostile values, else broken in one of many ways. */
    static byte[] body(Random r, int maxHuge) {
        String echo = echo(r);
        String s = switch (r.nextInt(16)) {
            case 0, 1, 2 -> completion(r, echo);
            case 3 -> "{\"model\": " + quote(echo) + ", \"message\": {\"role\": \"assistant\", \"content\": "
                    + quote(pick(r, Stubs.ENTITIES, echo, "")) + "}, \"done_reason\": " + quote(echo)
                    + ", \"prompt_eval_count\": " + pick(r, "-5", "1e400", "\"x\"", "12") + ", \"eval_count\": 3}";
            case 4 -> pick(r, "{\"error\": {\"message\": " + quote(echo) + ", \"code\": " + quote(echo) + "}}",
                    "{\"error\": " + quote(echo) + "}", "{\"message\": " + quote(echo) + "}",
                    "{\"detail\": [{\"msg\": " + quote(echo) + "}]}", "{\"detail\": " + quote(echo) + "}",
                    "{\"error\": 42, \"message\": " + quote(echo) + "}", "{\"error\": {\"message\": null}}");
            case 5 -> "{\"error\": {\"message\": " + quote("e".repeat(120 + r.nextInt(140)) + KEY + " tail") + "}}";
            case 6 -> pick(r, "{\"choices\": {}}", "{\"choices\": []}", "{\"choices\": [1, 2]}",
                    "{\"choices\": [null]}", "{\"choices\": \"" + KEY + "\"}", "{\"choices\": [{\"message\": "
                    + quote(echo) + "}]}", "{\"choices\": [{\"message\": {\"content\": {\"a\": " + quote(echo)
                    + "}}}]}", "{\"choices\": [{\"message\": {\"content\": [1, {\"text\": 2}, " + quote(echo)
                    + ", {\"text\": " + quote(echo) + "}]}}]}", "{\"choices\": [{\"message\": {\"content\": 7}}], "
                    + "\"usage\": {\"prompt_tokens\": \"" + KEY + "\", \"completion_tokens\": -1}}", "{\"model\": 5}",
                    "{}", "[]", "null", "true", "1e999999", "\"" + KEY + "\"");
            case 7 -> truncate(r, completion(r, echo));
            case 8 -> garbage(r);
            case 9 -> nested(r);
            case 10 -> completion(r, huge(r, maxHuge));
            case 11 -> "{\"error\": {\"message\": " + quote(huge(r, maxHuge)) + "}}";
            case 12 -> pick(r, "", " ", "\n\n\t", "\uFEFF" + completion(r, echo), "{\"a\": NaN}", "{'single': 1}",
                    "<html><body>502 Bad Gateway " + echo + "</body></html>", "{\"a\":1}{\"b\":2}",
                    "{\"error\": {\"message\": \"" + KEY + "\", \"error\": {\"message\": \"" + KEY + "\"}}}");
            case 13 -> completion(r, "{\"entities\": [" + "1,".repeat(r.nextInt(5000)) + "1]} " + echo);
            case 14 -> "{\"model\": " + quote(huge(r, maxHuge)) + ", \"choices\": [{\"message\": {\"content\": "
                    + quote(Stubs.ENTITIES) + "}}]}";
            default -> "{\"choices\": [{\"message\": {\"content\": " + quote(echo) + "}, \"finish_reason\": "
                    + quote(echo) + "}], \"model\": " + quote(echo) + ", \"choices\": [{\"message\": {\"content\": "
                    + quote(Stubs.ENTITIES) + "}}]}";
        };
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A text that echoes a planted secret in one of the forms servers use, or none. */
    private static String echo(Random r) {
        String secret = r.nextBoolean() ? KEY : BODY_KEY;
        return switch (r.nextInt(9)) {
            case 0 -> "Authorization: Bearer " + secret;
            case 1 -> "your request: " + quote("{\"options\": {\"password\": " + quote(secret) + "}}");
            case 2 -> "GET /v1?api_key=" + urlEncoded(secret) + " failed";
            case 3 -> "key=" + URLEncoder.encode(secret, StandardCharsets.UTF_8).replace("+", "%20");
            case 4 -> secret;
            case 5 -> "x".repeat(r.nextInt(400)) + secret + "y".repeat(r.nextInt(400));
            case 6 -> " \n\t ".repeat(r.nextInt(300)) + secret;
            case 7 -> Stubs.ENTITIES;
            default -> "{\"entities\": [\"Paris\"]} " + secret;
        };
    }

    private static String completion(Random r, String content) {
        return "{\"id\": \"x\", \"model\": " + quote(r.nextInt(4) == 0 ? content : "m")
                + ", \"choices\": [{\"index\": 0, \"message\": {\"role\": \"assistant\", \"content\": " + quote(content)
                + "}, \"finish_reason\": "
                + quote(pick(r, "stop", "length", KEY)) + "}], \"usage\": {\"prompt_tokens\": " + r.nextInt(100)
                + ", \"completion_tokens\": " + pick(r, "3", "-3", "1e30", "null", "\"" + KEY + "\"") + "}}";
    }

    /**
     * Cuts a body at a random place, never inside a planted secret in any of its forms (a server that cuts one
     * cannot be helped): the cut moves back to before any secret's start close to it.
     */
    private static String truncate(Random r, String s) {
        int cut = r.nextInt(s.length());
        String window = s.substring(Math.max(0, cut - 64), cut);
        for (String secret : SECRETS) {
            int at = window.indexOf(secret.substring(0, 4));
            if (at >= 0) {
                cut = Math.max(0, cut - 64) + at;
                window = s.substring(Math.max(0, cut - 64), cut);
            }
        }
        return s.substring(0, cut);
    }

    /** Random bytes (invalid UTF-8 included), without the letters the secrets start with, plus a planted key. */
    private static String garbage(Random r) {
        byte[] b = new byte[r.nextInt(2000)];
        r.nextBytes(b);
        for (int i = 0; i < b.length; i++) {
            if (b[i] == 's' || b[i] == 'p') {
                b[i] = 'x';
            }
        }
        String g = new String(b, StandardCharsets.ISO_8859_1);
        int at = g.isEmpty() ? 0 : r.nextInt(g.length());
        return g.substring(0, at) + KEY + g.substring(at);
    }

    private static String nested(Random r) {
        int depth = 1 + r.nextInt(6000);
        return switch (r.nextInt(3)) {
            case 0 -> "[".repeat(depth) + "]".repeat(r.nextInt(depth + 1));
            case 1 -> "{\"a\":".repeat(depth) + quote(KEY) + "}".repeat(depth);
            default -> "{\"choices\": [{\"message\": {\"content\": " + "[".repeat(depth) + "]".repeat(depth) + "}}]}";
        };
    }

    private static String huge(Random r, int max) {
        int n = r.nextInt(max);
        StringBuilder b = new StringBuilder(n + KEY.length());
        while (b.length() < n) {
            b.append("lorem ipsum dolor sit amet, ");
        }
        b.setLength(n);
        b.insert(r.nextInt(n + 1), r.nextBoolean() ? KEY : BODY_KEY);
        return b.toString();
    }

    private static String urlEncoded(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    @SafeVarargs
    private static <T> T pick(Random r, T... options) {
        return options[r.nextInt(options.length)];
    }

    private static void checkNoLeak(List<String> problems, int i, String where, String text) {
        if (text == null) {
            return;
        }
        for (String s : SECRETS) {
            int at = text.indexOf(s.substring(0, 4));
            if (at >= 0) {
                problems.add("case " + i + ": " + where + " shows a planted secret: …"
                        + text.substring(Math.max(0, at - 40), Math.min(text.length(), at + 40)) + "…");
                return;
            }
        }
    }
}
