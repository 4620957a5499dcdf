package io.el4ner.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RedactionTest {
    private static final String KEY = "sk-test-REDACTION-0123456789abcdef";

    @Test
    void redact_registeredValue_masksEveryFormUntilClosed() {
        try (Redaction.Registration r = Redaction.register(KEY + "/+x")) {
            String v = KEY + "/+x";
            assertThat(Redaction.redact("Bearer " + v + " end")).isEqualTo("Bearer **** end");
            assertThat(Redaction.redact("q=" + java.net.URLEncoder.encode(v, java.nio.charset.StandardCharsets.UTF_8)))
                    .isEqualTo("q=****");
            assertThat(Redaction.redact("{\"k\":\"" + v.replace("/", "/") + "\"}")).doesNotContain(KEY);
        }
        assertThat(Redaction.redact("Bearer " + KEY + "/+x")).contains(KEY);
    }

    @Test
    void register_sameValueTwice_masksUntilEachRegistrationIsClosed() {
        Redaction.Registration a = Redaction.register(KEY);
        Redaction.Registration b = Redaction.register(KEY);
        a.close();
        a.close();
        assertThat(Redaction.redact(KEY)).isEqualTo(Redaction.MASK);
        b.close();
        assertThat(Redaction.redact(KEY)).isEqualTo(KEY);
    }

    @Test
    void register_shortValue_isNotMasked() {
        try (Redaction.Registration r = Redaction.register("abc")) {
            assertThat(Redaction.redact("abcabc")).isEqualTo("abcabc");
        }
    }

    @Test
    void excerpt_secretAcrossTheCut_showsNoPrefixOfIt() {
        String text = "x".repeat(190) + KEY + "y".repeat(500);
        try (Redaction.Registration r = Redaction.register(KEY)) {
            String e = Redaction.excerpt(text, 200);
            assertThat(e).doesNotContain("sk-").startsWith("x".repeat(190) + "****")
                    .endsWith("more characters)");
            assertThat(e.length()).isLessThan(240);
        }
    }

    @Test
    void excerpt_cutInsideASurrogatePair_neverSplitsIt() {
        String e = Redaction.excerpt("a" + "😀".repeat(100), 2);
        assertThat(e).startsWith("a…").endsWith("(200 more characters)");
    }

    @Test
    void excerpt_anExcerptOrATextWithinTheSlack_isNotCutAgain() {
        String once = Redaction.excerpt("[".repeat(300_000), 300);
        assertThat(once).endsWith("… (299700 more characters)");
        assertThat(Redaction.excerpt(once, 300)).isEqualTo(once);
        assertThat(Redaction.excerpt("x".repeat(300 + Redaction.EXCERPT_SLACK), 300)).hasSize(332);
        assertThat(Redaction.excerpt("x".repeat(300 + Redaction.EXCERPT_SLACK + 1), 300))
                .startsWith("x".repeat(300) + "…").endsWith("(33 more characters)");
    }

    @Test
    void redact_exceptionsAndDiagnostics_areRedactedAndBounded() {
        try (Redaction.Registration r = Redaction.register(KEY)) {
            assertThat(new El4nerException("key " + KEY).getMessage()).isEqualTo("key ****");
            Diagnostic d = new Diagnostic(Diagnostic.Kind.MALFORMED_ITEM, Stage.EXTRACTION, "m", "bad " + KEY,
                    "[" + "1,".repeat(100_000) + KEY + "]");
            assertThat(d.message()).isEqualTo("bad ****");
            assertThat(d.detail().length()).isLessThan(Diagnostic.MAX_DETAIL_CHARS + 40);
            assertThat(d.detail()).contains("more characters");
        }
        El4nerException later = new El4nerException("late " + KEY);
        try (Redaction.Registration r = Redaction.register(KEY)) {
            assertThat(later.getMessage()).isEqualTo("late ****");
        }
    }

    @Test
    void redact_overlappingSecrets_masksOneRunShowingNoPartOfEither() {
        try (Redaction.Registration a = Redaction.register("abcdXYZ");
             Redaction.Registration b = Redaction.register("cdXYZ123")) {
            assertThat(Redaction.redact("<abcdXYZ123>")).isEqualTo("<****>");
            assertThat(Redaction.redact("abcdXYZ cdXYZ123")).isEqualTo("**** ****");
        }
    }

    @Test
    void redact_slashesEscapedAsPhpDoes_masksTheSecret() {
        try (Redaction.Registration r = Redaction.register("tok/en/value")) {
            assertThat(Redaction.redact("{\"t\":\"tok\\/en\\/value\"}")).isEqualTo("{\"t\":\"****\"}");
        }
    }

    @Test
    void redact_secretQuotedInJsonInsideJson_masksIt() {
        String v = "pw/with \"quote\"";
        try (Redaction.Registration r = Redaction.register(v)) {
            String once = "{\"password\": \"pw/with \\\"quote\\\"\"}";
            String twice = "{\"error\": \"bad " + once.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}";
            assertThat(Redaction.redact(once)).doesNotContain("pw/");
            assertThat(Redaction.redact(twice)).doesNotContain("pw/");
        }
    }

    @Test
    void redact_manySecretsAndALongText_staysLinear() {
        java.util.List<Redaction.Registration> all = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 10_000; i++) {
                all.add(Redaction.register("sk-many-" + i + "-0123456789"));
            }
            String text = "x".repeat(1 << 20) + "sk-many-9999-0123456789" + "sk-many-".repeat(1000);
            long t0 = System.nanoTime();
            String r = Redaction.redact(text);
            assertThat(r).doesNotContain("sk-many-9999").endsWith("sk-many-");
            assertThat(java.time.Duration.ofNanos(System.nanoTime() - t0)).isLessThan(java.time.Duration.ofSeconds(5));
        } finally {
            all.forEach(Redaction.Registration::close);
        }
        assertThat(Redaction.redact("sk-many-1-0123456789")).isEqualTo("sk-many-1-0123456789");
    }

    @Test
    void isSecretName_credentialsAndTokenCounts_acceptsOnlyCredentials() {
        for (String secret : new String[] {"token", "api_key", "apiKey", "access_token", "auth_token", "Authorization",
                "password", "db_passwd", "client_secret", "credentials", "X-Api-Key", "tokenSecret", "tokensecret", "HF_TOKEN",
                "auth_tokens", "accessTokens", "API_TOKENS", "refresh-tokens", "id_tokens"}) {
            assertThat(Redaction.isSecretName(secret)).as(secret).isTrue();
        }
        for (String setting : new String[] {"max_tokens", "skip_special_tokens", "max_new_tokens", "num_tokens",
                "MAX_TOKENS", "maxTokens", "maxTokensPerCall", "min_tokens", "max_key_length", "num_keys", "top_k", "model",
                "prompt_tokens", "completion_tokens", "", null}) {
            assertThat(Redaction.isSecretName(setting)).as(setting).isFalse();
        }
    }

    @Test
    void urlSecrets_findsUserinfoPasswordsAndSecretNamedParameters_asWrittenAndDecoded() {
        assertThat(Redaction.urlSecrets("base http://bob:p%40ss@host:8000/v1?api_key=k%2B1&max_tokens=512#token=t9"))
                .containsExactly("bob:p%40ss", "bob:p@ss", "p%40ss", "p@ss", "k%2B1", "k+1", "t9");
        // a password holding '/', '@' and '?': the userinfo runs to the last '@' before the quote
        assertThat(Redaction.urlSecrets("'http://u:a/b@c?d@h/v1' and http://h2/v1"))
                .contains("u:a/b@c?d", "a/b@c?d");
        assertThat(Redaction.urlSecrets("http://host:8000/v1?model=qwen&max_tokens=1")).isEmpty();
        assertThat(Redaction.urlSecrets("no url here")).isEmpty();
        assertThat(Redaction.urlSecrets(null)).isEmpty();
    }

    @Test
    void redactUrls_masksCredentialsWhereTheyStandWhateverTheirLength() {
        assertThat(Redaction.redactUrls("GET http://a:b@host/v1?token=xy&model=m failed"))
                .isEqualTo("GET http://" + Redaction.MASK + "@host/v1?token=" + Redaction.MASK + "&model=m failed");
        assertThat(Redaction.redactUrls("http://host/v1")).isEqualTo("http://host/v1");
        assertThat(Redaction.redactUrls(null)).isNull();
    }
}
