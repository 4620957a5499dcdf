/**
 * el4ner's technology compatibility kit: abstract JUnit 5 contract tests that {@code ModelMember} and
 * {@code SentenceEncoder} plugin authors extend. JUnit Jupiter's API and AssertJ come transitively, so a plugin needs only this one test dependency
 * (plus a JUnit engine to run it).
 */
module io.el4ner.tck {
    requires transitive io.el4ner.api;
    requires transitive org.junit.jupiter.api;
    requires transitive org.assertj.core;

    exports io.el4ner.tck;

    uses io.el4ner.api.spi.ModelMemberProvider;
}
