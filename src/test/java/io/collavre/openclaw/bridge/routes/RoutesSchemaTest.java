package io.collavre.openclaw.bridge.routes;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.JsonMetaSchema;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.NonValidationKeyword;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every file in routes/ is valid against the YAML DSL's JSON schema as Camel ships it in camel-yaml-dsl, the schema
 * Kaoto and the IDE tooling load: a route the tooling cannot read fails the build, with the file, the path in it and
 * the schema's message.
 */
class RoutesSchemaTest {

    static final String SCHEMA = "schema/camelYamlDsl.json";

    static JsonSchema schema;

    @BeforeAll
    static void loadTheShippedSchema() throws IOException {
        URL shipped = RoutesSchemaTest.class.getClassLoader().getResource(SCHEMA);
        assertNotNull(shipped, SCHEMA + " on the test classpath");
        assertTrue(shipped.toString().contains("camel-yaml-dsl-"), "the schema of the camel-yaml-dsl jar: " + shipped);
        try (InputStream in = shipped.openStream()) {
            // Camel's schema marks options "deprecated", a keyword draft 4 does not know: an annotation, not a rule.
            JsonMetaSchema draft4 = JsonMetaSchema.builder(JsonMetaSchema.getV4())
                    .keyword(new NonValidationKeyword("deprecated")).build();
            schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4, factory -> factory.metaSchema(draft4))
                    .getSchema(in);
        }
    }

    static Stream<Path> routeFiles() throws IOException {
        List<Path> files;
        try (Stream<Path> listed = Files.list(Path.of("routes"))) {
            files = listed.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
        }
        assertFalse(files.isEmpty(), "route files in routes/");
        return files.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("routeFiles")
    void routeFileIsValidAgainstCamelsYamlDslSchema(Path file) throws IOException {
        JsonNode routes = new YAMLMapper().readTree(file.toFile());
        List<String> problems = new ArrayList<>();
        for (ValidationMessage message : schema.validate(routes)) {
            problems.add(file + ": " + message.getInstanceLocation() + ": " + message.getMessage());
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }
}
