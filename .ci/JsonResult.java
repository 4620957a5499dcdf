import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * .ci/run's check of the README command's stdout: one JSON object with an "entities" array, and nothing after it. Run with the CLI jar on
 * the class path (it carries Jackson): java -cp el4ner-cli/target/el4ner.jar .ci/JsonResult.java < out.json
 */
public class JsonResult {
    public static void main(String[] args) throws Exception {
        JsonNode result = JsonMapper.builder()
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build().readTree(System.in);
        if (result == null || !result.isObject() || !result.path("entities").isArray()) {
            System.err.println("not a JSON result with an \"entities\" array: " + result);
            System.exit(1);
        }
        System.out.println(result.get("entities").size() + " entities");
    }
}
