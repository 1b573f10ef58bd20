package io.collavre.openclaw.bridge.gateway;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.collavre.openclaw.bridge.BridgeVersion;

/**
 * Builds the {@code connect} request that answers the Gateway's {@code connect.challenge} (protocol 3).
 *
 * <p>One instance per Gateway account: it holds that account's token, which must never reach a log, so the
 * request is returned as a ready JSON string and this class's {@code toString} hides the token.
 */
public class ConnectRequest {

    public static final int PROTOCOL_VERSION = 3;
    private static final ObjectMapper JSON = new ObjectMapper();

    private String token;
    private String clientVersion = BridgeVersion.get();

    public void setToken(String token) {
        this.token = token;
    }

    public void setClientVersion(String clientVersion) {
        this.clientVersion = java.util.Objects.requireNonNull(clientVersion, "clientVersion");
    }

    /** The {@code req} frame for method {@code connect}, as JSON text. */
    public String json() throws JsonProcessingException {
        Map<String, Object> client = Map.of(
                "id", "gateway-client",
                "version", clientVersion,
                "platform", "java",
                "mode", "backend");
        Map<String, Object> params = new java.util.LinkedHashMap<>();
        params.put("minProtocol", PROTOCOL_VERSION);
        params.put("maxProtocol", PROTOCOL_VERSION);
        params.put("client", client);
        params.put("role", "operator");
        params.put("scopes", List.of("operator.read", "operator.write"));
        params.put("caps", List.of());
        params.put("commands", List.of());
        params.put("permissions", Map.of());
        params.put("auth", Map.of("token", token == null ? "" : token));
        params.put("locale", Locale.getDefault().toLanguageTag());
        params.put("userAgent", "openclaw-proactive-bridge/" + clientVersion);

        Map<String, Object> frame = new java.util.LinkedHashMap<>();
        frame.put("type", "req");
        frame.put("id", UUID.randomUUID().toString());
        frame.put("method", "connect");
        frame.put("params", params);
        return JSON.writeValueAsString(frame);
    }

    @Override
    public String toString() {
        return "ConnectRequest[token=" + (token == null || token.isEmpty() ? "unset" : "***") + "]";
    }
}
