package io.el4ner.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * report.html in a real headless browser (Chromium or Chrome): the page loads, its DOM has the tables and SVG
 * charts, and a screenshot of it is a picture, not a blank page. Runs whenever one of
 * {@link HeadlessBrowser#NAMES} is on the PATH; without one it is skipped, unless {@code EL4NER_REQUIRE_BROWSER}
 * is {@code true} (CI sets it), when it fails. The page and screenshot are kept in {@code target/html-report/}.
 */
class HtmlReportBrowserTest {
    private static final long TIMEOUT_SECONDS = 90;
    private Path browser;

    @TempDir
    Path dir;

    @BeforeEach
    void findBrowser() {
        browser = HeadlessBrowser.find().orElse(null);
        if (browser == null) {
            String message = "no headless browser: none of " + HeadlessBrowser.NAMES + " is on the PATH (install "
                    + "Debian's 'chromium' package, or Google Chrome)";
            if ("true".equalsIgnoreCase(System.getenv(HeadlessBrowser.REQUIRE))) {
                fail(message + ", and " + HeadlessBrowser.REQUIRE + "=true");
            }
            assumeTrue(false, message);
        }
    }

    private Path page(boolean withTokens) throws Exception {
        EvaluationReport report = ReportFixture.report(dir, withTokens);
        report.write(dir);
        return dir.resolve("report.html");
    }

    private static int count(String s, String regex) {
        Matcher m = Pattern.compile(regex).matcher(s);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    @Test
    void html_inABrowser_domHasTheTablesAndCharts() throws Exception {
        Path html = page(true);
        HeadlessBrowser.Result r = HeadlessBrowser.of(browser, dir, TIMEOUT_SECONDS).dumpDom(html);
        assertThat(r.exit()).as(r.stderr()).isZero();
        String dom = r.stdout();
        for (String id : new String[] {"summary-table", "causes-table", "ablation-table", "types-table",
            "validator-table", "datasets-table", "languages-table", "usage-table"}) {
            assertThat(dom).as(id).containsPattern("<table id=\"" + id + "\"");
        }
        for (String id : new String[] {"chart-ablation", "chart-types", "chart-validator", "chart-datasets",
            "chart-languages", "chart-latency", "chart-tokens"}) {
            assertThat(dom).as(id).containsPattern("<svg[^>]* id=\"" + id + "\"");
        }
        // the browser built SVG elements, not unknown HTML ones: its serialiser keeps them lower case in place
        assertThat(count(dom, "<g class=\"ci\"")).isEqualTo(5 + 2 + 2);
        assertThat(count(dom, "<rect ")).isGreaterThan(30);
        assertThat(count(dom, "<g class=\"tick\"")).isGreaterThan(30);
        // the untrusted names stayed text
        assertThat(dom).doesNotContain("<script").contains("&lt;script&gt;alert('m')&lt;/script&gt;");
        assertThat(dom).doesNotContain("<pre");
    }

    @Test
    void html_screenshot_isNotBlank() throws Exception {
        Path html = page(true);
        Path png = dir.resolve("report.png");
        HeadlessBrowser.Result r = HeadlessBrowser.of(browser, dir, TIMEOUT_SECONDS).screenshot(html, png, 1000, 2600);
        assertThat(r.exit()).as(r.stderr()).isZero();
        assertThat(png).as(r.stderr()).isRegularFile();
        Path keep = Path.of("target", "html-report");
        Files.createDirectories(keep);
        Files.copy(png, keep.resolve("report.png"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(html, keep.resolve("report.html"), StandardCopyOption.REPLACE_EXISTING);

        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image).isNotNull();
        assertThat(image.getWidth()).isEqualTo(1000);
        long pixels = (long) image.getWidth() * image.getHeight();
        long notWhite = 0;
        long coloured = 0;
        long finalBlue = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int rgb = image.getRGB(x, y);
                int red = (rgb >> 16) & 0xff;
                int green = (rgb >> 8) & 0xff;
                int blue = rgb & 0xff;
                if (red < 245 || green < 245 || blue < 245) {
                    notWhite++;
                }
                if (Math.max(red, Math.max(green, blue)) - Math.min(red, Math.min(green, blue)) > 60) {
                    coloured++;
                }
                if (Math.abs(red - 0x00) < 12 && Math.abs(green - 0x72) < 12 && Math.abs(blue - 0xB2) < 12) {
                    finalBlue++;
                }
            }
        }
        // text, tables and bars: a real page, not a blank or an error screen
        assertThat(notWhite).as("non-white pixels of %s", pixels).isGreaterThan(pixels / 50);
        // the charts' bars were drawn in colour (the final answer's blue among them)
        assertThat(coloured).as("coloured pixels").isGreaterThan(20_000);
        assertThat(finalBlue).as("pixels of the final answer's blue").isGreaterThan(1_000);
    }
}
