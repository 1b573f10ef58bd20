package io.collavre.openclaw.bridge.websocket;

import java.util.Map;

import org.apache.camel.CatalogCamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.EndpointUriFactory;
import org.apache.camel.util.json.JsonObject;
import org.apache.camel.util.json.Jsoner;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The component as Camel's tooling sees it: found by its scheme without being added by hand, its options and headers
 * described in its JSON metadata, and its endpoint configured through the generated configurer.
 */
class ReconnectingWebsocketMetadataTest {

    @Test
    void theComponentIsDiscoveredByItsSchemeAndConfiguresTheAccountParameter() throws Exception {
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            context.start();
            ReconnectingWebsocketEndpoint endpoint = assertInstanceOf(ReconnectingWebsocketEndpoint.class,
                    context.getEndpoint("reconnecting-websocket:http://127.0.0.1:18789/gw?account=alice"));
            assertEquals("alice", endpoint.getAccount());
            assertEquals("ws", endpoint.getConfiguration().getWebsocketURI().getScheme());

            ReconnectingWebsocketEndpoint unnamed = (ReconnectingWebsocketEndpoint)
                    context.getEndpoint("reconnecting-websocket:ws://gateway.example:18789/");
            assertEquals("gateway.example", unnamed.getAccount(), "an endpoint without account is named by its host");
        }
    }

    @Test
    void theMetadataDescribesTheComponentOptionsTheAccountParameterAndTheSessionHeader() throws Exception {
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            String json = ((CatalogCamelContext) context).getComponentParameterJsonSchema("reconnecting-websocket");
            assertNotNull(json, "reconnecting-websocket.json on the classpath");
            JsonObject metadata = (JsonObject) Jsoner.deserialize(json);

            JsonObject component = (JsonObject) metadata.get("component");
            assertEquals("reconnecting-websocket:host:port/path", component.getString("syntax"));
            Map<?, ?> componentOptions = (Map<?, ?>) metadata.get("componentProperties");
            for (String option : new String[] {"reconnectBaseDelay", "reconnectMaxDelay", "handshakeTimeout",
                    "connectTimeout", "idleTimeout", "maxPendingFrames", "maxPendingChars", "maxMessageBytes",
                    "trustCaFile", "frameThreads"}) {
                JsonObject described = (JsonObject) componentOptions.get(option);
                assertNotNull(described, "component option " + option);
                assertTrue(!described.getString("description").isBlank(), "description of " + option);
            }
            JsonObject account = (JsonObject) ((Map<?, ?>) metadata.get("properties")).get("account");
            assertNotNull(account, "endpoint parameter account");
            assertNotNull(((Map<?, ?>) metadata.get("headers")).get(ReconnectingWebsocketConstants.SESSION),
                    "header " + ReconnectingWebsocketConstants.SESSION);
        }
    }

    @Test
    void theGeneratedUriFactoryBuildsTheEndpointUri() throws Exception {
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            EndpointUriFactory factory = context.getCamelContextExtension().getEndpointUriFactory("reconnecting-websocket");
            assertNotNull(factory);
            assertTrue(factory.propertyNames().contains("account"));
            assertEquals("reconnecting-websocket:gateway.example:18789/gw?account=alice",
                    factory.buildUri("reconnecting-websocket",
                            Map.of("host", "gateway.example", "port", 18789, "path", "gw", "account", "alice")));
        }
    }
}
