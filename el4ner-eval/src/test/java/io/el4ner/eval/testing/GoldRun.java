package io.el4ner.eval.testing;

/**
 * The gold sentences of the small evaluation run that el4ner-eval's report tests and the CLI's evaluate tests
 * share (CoNLL, token and tag separated by a tab, IOB2 tags of the types person, location and corporation). The
 * CLI's tests get it from el4ner-eval's test-jar.
 */
public final class GoldRun {
    /** Four English sentences: Alice … Paris, Bob Smith … Acme Corp, one without entities, Carol … New York. */
    public static final String ENGLISH = """
            Alice\tB-person
            flew\tO
            to\tO
            Paris\tB-location
            .\tO

            Bob\tB-person
            Smith\tI-person
            works\tO
            at\tO
            Acme\tB-corporation
            Corp\tI-corporation

            Nothing\tO
            here\tO

            Carol\tB-person
            met\tO
            Dave\tB-person
            in\tO
            New\tB-location
            York\tI-location
            """;

    /** Four Spanish sentences. */
    public static final String SPANISH = """
            Ana\tB-person
            vive\tO
            en\tO
            Madrid\tB-location

            Telefónica\tB-corporation
            abrió\tO
            en\tO
            Sevilla\tB-location

            Luis\tB-person
            y\tO
            Marta\tB-person

            Pedro\tB-person
            visitó\tO
            Lima\tB-location
            """;

    /** The English sentences, then the Spanish ones. */
    public static final String ALL = ENGLISH + "\n" + SPANISH;

    private GoldRun() {
    }
}
