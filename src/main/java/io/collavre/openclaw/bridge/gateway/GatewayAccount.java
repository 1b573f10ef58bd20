package io.collavre.openclaw.bridge.gateway;

/**
 * One Gateway connection the bridge holds: whose it is, where it goes and how it authenticates.
 *
 * @param name       short name, used in route ids, logs and health
 * @param ownerId    the Collavre user every run of this connection is for
 * @param gatewayUrl the Gateway's ws://, wss://, http:// or https:// URL
 * @param token      the Gateway token (may be a {@code {{env:NAME}}} placeholder); never logged
 */
public record GatewayAccount(String name, String ownerId, String gatewayUrl, String token) {

    public String routeId() {
        return "gateway-connection-" + name;
    }

    @Override
    public String toString() {
        return "GatewayAccount[name=" + name + ", ownerId=" + ownerId + ", gatewayUrl=" + gatewayUrl + ", token="
               + (token == null || token.isBlank() ? "unset" : "***") + "]";
    }
}
