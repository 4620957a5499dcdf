package io.el4ner.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.el4ner.api.LabeledSpan;
import io.el4ner.api.NerResult;
import io.el4ner.api.spi.SentenceSplitter;
import io.el4ner.core.BatchItem;
import io.el4ner.core.EnsembleNer;
import io.el4ner.core.ValidationMode;
import io.el4ner.eval.ConllReader;
import io.el4ner.eval.ConllSentence;
import io.el4ner.eval.Scheme;
import io.el4ner.eval.TokenSpan;
import io.el4ner.openai.Flavor;
import io.el4ner.openai.OpenAiCompatibleMember;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Load study of the {@code openai-compatible} member inside the whole pipeline: three members talk to a loopback
 * server (a separate JVM, so that the client's CPU time is the client's alone) that answers every chat request
 * after a fixed latency and injects faults into a share of them (500, 503, 429 with {@code retry-after-ms}, a
 * connection dropped before the answer, a body cut short after the latency). The server answers from the gold
 * annotation of WNUT-17, the way a perfect model would, so that the run also checks that nothing is garbled.
 *
 * <p>It reports: sentences with a result or an explicit failure (none may be lost), pipeline calls and HTTP
 * requests per sentence, the latency of each sentence (p50/p90/p99), the client's CPU time per HTTP request, and
 * the effective parallelism (the sum of the sentences' latencies over the wall time: how many sentences were in
 * flight on average, at most the parallelism asked for), and the mean latency against the ideal
 * {@code stages × latency}, where the stages are those the sentence went through
 * one after another (extraction, then classification and validation when there were candidate spans); the members
 * of a stage run in parallel, so a stage ideally takes one latency.
 *
 * <p>Run from the project root, after {@code ./mvnw -q -DskipTests package}:
 * {@code java -cp el4ner-benchmarks/target/benchmarks.jar io.el4ner.benchmarks.LoadStudy ../shared/data
 * [sentences=1000] [latencyMs=100] [faultRate=0.10] [parallelism=8]}
 */
public final class LoadStudy {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> TYPES = List.of("person", "location", "group", "creative-work", "corporation",
            "product");
    private static final List<String> FAULTS = List.of("500", "503", "429", "drop", "truncate");

    private LoadStudy() {
    }

    /**
     * @param args the shared data directory, then optionally the number of sentences, the server latency in ms,
     *     the fault rate and the number of sentences recognised at once; or {@code --serve FILE LATENCY RATE SEED}
     *     to run the server
     * @throws Exception when the study cannot run
     */
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--serve")) {
            serve(Path.of(args[1]), Integer.parseInt(args[2]), Double.parseDouble(args[3]), Long.parseLong(args[4]));
            return;
        }
        Path data = Path.of(args.length > 0 ? args[0] : "../shared/data");
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        int latency = args.length > 2 ? Integer.parseInt(args[2]) : 100;
        double faultRate = args.length > 3 ? Double.parseDouble(args[3]) : 0.10;
        int parallelism = args.length > 4 ? Integer.parseInt(args[4]) : 8;
        Path file = data.resolve("wnut17/emerging.test.annotated");
        List<ConllSentence> all = ConllReader.builder().scheme(Scheme.IOB2).build().read(file);
        List<ConllSentence> sentences = all.subList(0, Math.min(n, all.size()));

        Process server = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // TCP_NODELAY, as real model servers set it: without it the JDK server's separate header and body
                // writes meet the client's delayed ACK and every answer waits ~40 ms.
                "-Xmx512m", "-Dsun.net.httpserver.nodelay=true", "-cp", System.getProperty("java.class.path"), LoadStudy.class.getName(), "--serve",
                file.toString(), String.valueOf(latency), String.valueOf(faultRate), "17")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(),
                    StandardCharsets.UTF_8));
            String line = out.readLine();
            if (line == null || !line.startsWith("PORT ")) {
                throw new IllegalStateException("the server did not start: " + line);
            }
            String url = "http://127.0.0.1:" + line.substring(5).strip();
            run(url, sentences, latency, faultRate, parallelism);
        } finally {
            server.destroy();
            server.waitFor(5, TimeUnit.SECONDS);
        }
    }

    private static void run(String url, List<ConllSentence> sentences, int latency, double faultRate,
                            int parallelism) throws Exception {
        EnsembleNer.Builder b = EnsembleNer.builder();
        TYPES.forEach(t -> b.entityType(t, ""));
        for (int i = 1; i <= 3; i++) {
            b.member(OpenAiCompatibleMember.builder().name("m" + i).model("sim-" + i).baseUrl(url + "/v1")
                    .flavor(Flavor.OPENAI).retryDelays(Duration.ofMillis(10), Duration.ofMillis(200))
                    .requestTimeout(Duration.ofSeconds(5)).callTimeout(Duration.ofSeconds(20)).build());
        }
        Map<String, Set<String>> gold = new HashMap<>();
        for (ConllSentence s : sentences) {
            Set<String> g = gold.computeIfAbsent(s.text(), k -> new HashSet<>());
            for (TokenSpan t : s.spans()) {
                LabeledSpan c = s.toCharSpan(t);
                g.add(c.start() + ":" + c.end() + ":" + c.type());
            }
        }
        try (EnsembleNer ner = b.validation(ValidationMode.SINGLE).verifier("m1")
                .sentenceSplitter(SentenceSplitter.wholeText()).timeout(Duration.ofSeconds(30))
                .maxConcurrentCalls(64).build()) {
            // Warm-up (not measured): class loading and JIT on both sides.
            List<String> warm = sentences.stream().limit(40).map(ConllSentence::text).toList();
            ner.recognizeBatch(warm, parallelism, item -> { });

            Map<String, Long> before = stats(url);
            com.sun.management.OperatingSystemMXBean os =
                    (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            long cpu0 = os.getProcessCpuTime();
            long t0 = System.nanoTime();
            List<Long> latencies = new ArrayList<>();
            int[] outcome = new int[3]; // results, failures, degraded
            long[] calls = new long[1];
            long[] ideal = new long[1]; // sum over sentences of (stages the sentence went through × latency)
            long[] match = new long[3]; // true positives, predicted, gold
            Set<Integer> seen = new HashSet<>();
            List<String> texts = sentences.stream().map(ConllSentence::text).toList();
            ner.recognizeBatch(texts, parallelism, (BatchItem item) -> {
                seen.add(item.index());
                if (item.result().isPresent()) {
                    NerResult r = item.result().get();
                    outcome[0]++;
                    if (r.degraded()) {
                        outcome[2]++;
                        r.diagnostics().stream().filter(d -> d.degrades()).forEach(d -> System.err.println(
                                "sentence " + item.index() + " degraded: " + d.stage() + " " + d.member() + ": "
                                        + d.message()));
                    }
                    latencies.add(r.usage().wallMillis());
                    long stages = r.usage().entries().stream().filter(e -> e.calls() > 0).map(e -> e.stage())
                            .distinct().count();
                    ideal[0] += stages * latency;
                    calls[0] += r.usage().totalCalls();
                    Set<String> g = gold.getOrDefault(item.text(), Set.of());
                    match[2] += g.size();
                    for (var e : r.entities()) {
                        match[1]++;
                        if (g.contains(e.start() + ":" + e.end() + ":" + e.type())) {
                            match[0]++;
                        }
                    }
                } else {
                    outcome[1]++;
                    System.err.println("sentence " + item.index() + " failed: " + item.failure().get().getMessage());
                }
            });
            long wallNanos = System.nanoTime() - t0;
            long cpuNanos = os.getProcessCpuTime() - cpu0;
            Map<String, Long> after = stats(url);
            long requests = after.get("requests") - before.get("requests");
            report(sentences.size(), seen.size(), outcome, calls[0], match, latencies, ideal[0], requests, before,
                    after, wallNanos, cpuNanos, latency, faultRate, parallelism);
        }
    }

    private static void report(int n, int seen, int[] outcome, long calls, long[] match, List<Long> latencies,
                               long idealSum, long requests, Map<String, Long> before, Map<String, Long> after, long wallNanos,
                               long cpuNanos, int latency, double faultRate, int parallelism) {
        latencies.sort(null);
        double mean = latencies.stream().mapToLong(Long::longValue).average().orElse(0);
        double ideal = (double) idealSum / Math.max(1, latencies.size());
        System.out.printf(Locale.ROOT, "## Load study: %d WNUT-17 sentences, 3 members, %d ms latency, %.0f%% "
                + "faults, %d sentences at once%n%n", n, latency, faultRate * 100, parallelism);
        System.out.println("| measure | value |");
        System.out.println("|---|---|");
        System.out.printf(Locale.ROOT, "| sentences with a result / an explicit failure / lost | %d / %d / %d |%n",
                outcome[0], outcome[1], n - seen);
        System.out.printf(Locale.ROOT, "| results flagged degraded | %d |%n", outcome[2]);
        System.out.printf(Locale.ROOT, "| pipeline calls per sentence | %.2f |%n", (double) calls / outcome[0]);
        System.out.printf(Locale.ROOT, "| HTTP requests per sentence (retries included) | %.2f |%n",
                (double) requests / n);
        StringBuilder faults = new StringBuilder();
        long injected = 0;
        for (String f : FAULTS) {
            long c = after.getOrDefault("fault." + f, 0L) - before.getOrDefault("fault." + f, 0L);
            injected += c;
            faults.append(faults.length() == 0 ? "" : ", ").append(f).append(' ').append(c);
        }
        System.out.printf(Locale.ROOT, "| faults injected | %d of %d requests (%.1f%%): %s |%n", injected, requests,
                100.0 * injected / Math.max(1, requests), faults);
        System.out.printf(Locale.ROOT, "| sentence latency p50 / p90 / p99 / max | %d / %d / %d / %d ms |%n",
                pct(latencies, 50), pct(latencies, 90), pct(latencies, 99), latencies.get(latencies.size() - 1));
        System.out.printf(Locale.ROOT, "| sentence latency mean | %.1f ms = %.3f × the mean of (sequential stages the "
                + "sentence went through × %d ms) = %.1f ms; a sentence with no candidate span stops after "
                + "extraction, the others run extraction, classification, validation |%n", mean, mean / ideal,
                latency, ideal);
        System.out.printf(Locale.ROOT, "| wall time | %.1f s (%.1f sentences/s) |%n", wallNanos / 1e9,
                n / (wallNanos / 1e9));
        double effective = latencies.stream().mapToLong(Long::longValue).sum() / (wallNanos / 1e6);
        System.out.printf(Locale.ROOT, "| effective parallelism (sum of sentence latencies / wall time) | %.1f of %d"
                + " (%.2f ×) |%n", effective, parallelism, effective / parallelism);
        System.out.printf(Locale.ROOT, "| client CPU | %.1f s: %.2f ms per HTTP request, %.2f ms per sentence |%n",
                cpuNanos / 1e9, cpuNanos / 1e6 / requests, cpuNanos / 1e6 / n);
        double p = match[1] == 0 ? 0 : (double) match[0] / match[1];
        double r = match[2] == 0 ? 0 : (double) match[0] / match[2];
        System.out.printf(Locale.ROOT, "| entities vs the gold the server answers from | P %.3f, R %.3f |%n", p, r);
        System.out.println();
        boolean noneLost = seen == n && outcome[0] + outcome[1] == n;
        boolean parallel = mean <= 1.25 * ideal;
        System.out.printf(Locale.ROOT, "no sentence lost: %s; mean latency within 1.25 × the ideal (%.1f ms): %s%n",
                noneLost ? "yes" : "NO", ideal, parallel ? "yes" : "NO");
    }

    private static long pct(List<Long> sorted, int p) {
        if (sorted.isEmpty()) {
            return 0;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }

    private static Map<String, Long> stats(String url) throws IOException, InterruptedException {
        HttpClient c = HttpClient.newHttpClient();
        HttpResponse<String> r = c.send(HttpRequest.newBuilder(URI.create(url + "/stats")).build(),
                HttpResponse.BodyHandlers.ofString());
        Map<String, Long> out = new LinkedHashMap<>();
        JSON.readTree(r.body()).properties().forEach(e -> out.put(e.getKey(), e.getValue().asLong()));
        return out;
    }

    // ---------------------------------------------------------------------------------------------------------
    // The server: a separate JVM.

    private static void serve(Path file, int latency, double faultRate, long seed) throws IOException {
        Map<String, List<String[]>> gold = new HashMap<>();
        for (ConllSentence s : ConllReader.builder().scheme(Scheme.IOB2).build().read(file)) {
            List<String[]> spans = gold.computeIfAbsent(s.text(), k -> new ArrayList<>());
            for (TokenSpan t : s.spans()) {
                LabeledSpan c = s.toCharSpan(t);
                spans.add(new String[] {s.text().substring(c.start(), c.end()), c.type()});
            }
        }
        Map<String, AtomicLong> counters = new ConcurrentHashMap<>();
        AtomicLong sequence = new AtomicLong();
        HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
        ExecutorService pool = Executors.newFixedThreadPool(96);
        http.setExecutor(pool);
        http.createContext("/stats", ex -> {
            ObjectNode o = JSON.createObjectNode();
            counters.forEach((k, v) -> o.put(k, v.get()));
            o.put("requests", counters.getOrDefault("requests", new AtomicLong()).get());
            send(ex, 200, o.toString().getBytes(StandardCharsets.UTF_8), -1);
        });
        http.createContext("/v1/chat/completions", ex -> {
            try {
                byte[] body = ex.getRequestBody().readAllBytes();
                counters.computeIfAbsent("requests", k -> new AtomicLong()).incrementAndGet();
                SplittableRandom random = new SplittableRandom(seed * 1_000_003L + sequence.incrementAndGet());
                String fault = random.nextDouble() < faultRate ? FAULTS.get(random.nextInt(FAULTS.size())) : null;
                if (fault != null) {
                    counters.computeIfAbsent("fault." + fault, k -> new AtomicLong()).incrementAndGet();
                }
                if ("500".equals(fault) || "503".equals(fault)) {
                    send(ex, Integer.parseInt(fault), "{\"error\": {\"message\": \"injected\"}}"
                            .getBytes(StandardCharsets.UTF_8), -1);
                    return;
                }
                if ("429".equals(fault)) {
                    ex.getResponseHeaders().add("retry-after-ms", "50");
                    send(ex, 429, "{\"error\": {\"message\": \"slow down\"}}".getBytes(StandardCharsets.UTF_8), -1);
                    return;
                }
                if ("drop".equals(fault)) {
                    ex.close(); // no status line: the client sees the connection end
                    return;
                }
                Thread.sleep(latency);
                byte[] answer = answer(JSON.readTree(body), gold).getBytes(StandardCharsets.UTF_8);
                send(ex, 200, answer, "truncate".equals(fault) ? answer.length / 2 : -1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                ex.close();
            } catch (RuntimeException e) {
                send(ex, 400, ("{\"error\": {\"message\": \"" + e.getClass().getSimpleName() + "\"}}")
                        .getBytes(StandardCharsets.UTF_8), -1);
            }
        });
        http.start();
        System.out.println("PORT " + http.getAddress().getPort());
        System.out.flush();
        // Serve until the parent closes our stdin (or dies).
        while (System.in.read() >= 0) {
            // nothing
        }
        http.stop(0);
        pool.shutdownNow();
    }

    /** Sends a body; with {@code cut >= 0}, announces the whole body and sends only its first bytes. */
    private static void send(HttpExchange ex, int status, byte[] body, int cut) throws IOException {
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, body.length);
        OutputStream out = ex.getResponseBody();
        out.write(body, 0, cut >= 0 ? cut : body.length);
        out.flush();
        ex.close();
    }

    /** Answers like a perfect model, from the gold annotation of the sentence in the prompt. */
    private static String answer(JsonNode request, Map<String, List<String[]>> gold) {
        String stage = request.path("response_format").path("json_schema").path("name").asText("");
        JsonNode messages = request.path("messages");
        String prompt = messages.get(messages.size() - 1).path("content").asText();
        int at = prompt.lastIndexOf("Sentence: ");
        int end = prompt.indexOf('\n', at);
        String sentence = prompt.substring(at + "Sentence: ".length(), end < 0 ? prompt.length() : end);
        List<String[]> spans = gold.getOrDefault(sentence, List.of());
        ObjectNode content = JSON.createObjectNode();
        switch (stage) {
            case "el4ner_extraction", "el4ner_pre_extraction" -> {
                ArrayNode a = content.putArray("entities");
                spans.forEach(s -> a.add(s[0]));
            }
            case "el4ner_classification" -> {
                ArrayNode a = content.putArray("labels");
                JsonNode asked = request.path("response_format").path("json_schema").path("schema").path("properties")
                        .path("labels").path("items").path("properties").path("span").path("enum");
                for (JsonNode span : asked) {
                    String type = spans.stream().filter(s -> s[0].equals(span.asText())).map(s -> s[1]).findFirst()
                            .orElse("NONE");
                    a.addObject().put("span", span.asText()).put("type", type);
                }
            }
            case "el4ner_validation" -> {
                ArrayNode a = content.putArray("verdicts");
                int entities = prompt.indexOf("Entities: ");
                JsonNode list;
                try {
                    list = JSON.readTree(prompt.substring(entities + "Entities: ".length(),
                            prompt.indexOf('\n', entities) < 0 ? prompt.length() : prompt.indexOf('\n', entities)));
                } catch (IOException e) {
                    list = JSON.createArrayNode();
                }
                for (JsonNode e : list) {
                    String span = e.path("span").asText();
                    String type = e.path("type").asText();
                    boolean valid = spans.stream().anyMatch(s -> s[0].equals(span) && s[1].equals(type));
                    a.addObject().put("span", span).put("type", type).put("valid", valid);
                }
            }
            default -> content.putArray("entities");
        }
        ObjectNode root = JSON.createObjectNode().put("id", "chatcmpl-load").put("object", "chat.completion")
                .put("model", request.path("model").asText());
        ObjectNode choice = root.putArray("choices").addObject().put("index", 0).put("finish_reason", "stop");
        choice.putObject("message").put("role", "assistant").put("content", content.toString());
        root.putObject("usage").put("prompt_tokens", prompt.length() / 4 + 1).put("completion_tokens",
                content.toString().length() / 4 + 1);
        return root.toString();
    }
}
