package io.collavre.openclaw.bridge.gateway;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.collavre.openclaw.bridge.BridgeVersion;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConnectRequestTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "gw-secret-token-123";

    private static JsonNode connectFrame(ConnectRequest request) throws Exception {
        return JSON.readTree(request.json());
    }

    private static ConnectRequest requestWithToken(String token) {
        ConnectRequest request = new ConnectRequest();
        request.setToken(token);
        request.setClientVersion("1.2.3");
        return request;
    }

    @Test
    void frameIsAConnectRequestWithAUuidId() throws Exception {
        JsonNode frame = connectFrame(requestWithToken(TOKEN));

        assertEquals("req", frame.path("type").asText());
        assertEquals("connect", frame.path("method").asText());
        assertTrue(frame.path("id").isTextual());
        String id = frame.path("id").asText();
        assertEquals(id, assertDoesNotThrow(() -> UUID.fromString(id)).toString());
        assertTrue(frame.path("params").isObject());
    }

    @Test
    void everyRequestHasAFreshId() throws Exception {
        ConnectRequest request = requestWithToken(TOKEN);

        assertNotEquals(connectFrame(request).path("id").asText(), connectFrame(request).path("id").asText());
    }

    @Test
    void paramsAskForProtocolThree() throws Exception {
        JsonNode params = connectFrame(requestWithToken(TOKEN)).path("params");

        assertTrue(params.path("minProtocol").isInt());
        assertEquals(3, params.path("minProtocol").asInt());
        assertTrue(params.path("maxProtocol").isInt());
        assertEquals(3, params.path("maxProtocol").asInt());
    }

    @Test
    void clientIdentifiesAsAJavaBackendGatewayClient() throws Exception {
        JsonNode client = connectFrame(requestWithToken(TOKEN)).path("params").path("client");

        assertEquals(Map.of("id", "gateway-client", "platform", "java", "mode", "backend", "version", "1.2.3"),
                JSON.convertValue(client, Map.class));
    }

    @Test
    void clientVersionDefaultsToTheBridgesBuildVersion() throws Exception {
        JsonNode client = connectFrame(new ConnectRequest()).path("params").path("client");

        assertTrue(client.path("version").isTextual());
        assertEquals(BridgeVersion.get(), client.path("version").asText());
        assertTrue(BridgeVersion.get().matches("\\d+\\.\\d+.*"), "the version the build filled in: " + BridgeVersion.get());
    }

    @Test
    void roleIsOperatorWithReadAndWriteScopes() throws Exception {
        JsonNode params = connectFrame(requestWithToken(TOKEN)).path("params");

        assertEquals("operator", params.path("role").asText());
        assertEquals(List.of("operator.read", "operator.write"), JSON.convertValue(params.path("scopes"), List.class));
    }

    @Test
    void capsCommandsAndPermissionsAreEmpty() throws Exception {
        JsonNode params = connectFrame(requestWithToken(TOKEN)).path("params");

        assertTrue(params.path("caps").isArray());
        assertTrue(params.path("caps").isEmpty());
        assertTrue(params.path("commands").isArray());
        assertTrue(params.path("commands").isEmpty());
        assertTrue(params.path("permissions").isObject());
        assertTrue(params.path("permissions").isEmpty());
    }

    @Test
    void authCarriesTheConfiguredToken() throws Exception {
        JsonNode auth = connectFrame(requestWithToken(TOKEN)).path("params").path("auth");

        assertEquals(Map.of("token", TOKEN), JSON.convertValue(auth, Map.class));
    }

    @Test
    void unsetTokenIsSentAsEmptyString() throws Exception {
        ConnectRequest request = new ConnectRequest();

        JsonNode auth = connectFrame(request).path("params").path("auth");

        assertTrue(auth.path("token").isTextual());
        assertEquals("", auth.path("token").asText());
    }

    @Test
    void localeAndUserAgentArePresent() throws Exception {
        JsonNode params = connectFrame(requestWithToken(TOKEN)).path("params");

        assertTrue(params.path("locale").isTextual());
        assertFalse(params.path("locale").asText().isBlank());
        assertEquals("openclaw-proactive-bridge/1.2.3", params.path("userAgent").asText());
    }

    @Test
    void noDeviceObjectIsSent() throws Exception {
        JsonNode frame = connectFrame(requestWithToken(TOKEN));

        assertFalse(frame.path("params").has("device"));
        assertFalse(frame.has("device"));
    }

    @Test
    void paramsHoldExactlyTheDocumentedKeys() throws Exception {
        JsonNode params = connectFrame(requestWithToken(TOKEN)).path("params");

        assertEquals(
                Set.of("minProtocol", "maxProtocol", "client", "role", "scopes", "caps", "commands",
                        "permissions", "auth", "locale", "userAgent"),
                JSON.convertValue(params, Map.class).keySet());
    }

    @Test
    void toStringHidesTheToken() {
        String text = requestWithToken(TOKEN).toString();

        assertFalse(text.contains(TOKEN), text);
        assertFalse(text.contains("secret"), text);
        assertTrue(text.contains("***"), text);
    }

    @Test
    void toStringSaysWhenNoTokenIsSet() {
        assertTrue(new ConnectRequest().toString().contains("unset"));
        assertTrue(requestWithToken("").toString().contains("unset"));
    }
}
