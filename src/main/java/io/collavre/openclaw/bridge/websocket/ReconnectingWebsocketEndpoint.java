package io.collavre.openclaw.bridge.websocket;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import org.apache.camel.Consumer;
import org.apache.camel.Exchange;
import org.apache.camel.Category;
import org.apache.camel.Processor;
import org.apache.camel.component.vertx.websocket.VertxWebsocketConfiguration;
import org.apache.camel.component.vertx.websocket.VertxWebsocketEndpoint;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.support.jsse.SSLContextParameters;
import org.apache.camel.component.vertx.common.VertxHelper;

/**
 * The endpoint of {@link ReconnectingWebsocketComponent}. Its producer writes to the socket its consumer holds,
 * so a route can answer the server on the very connection a frame came in on; it never opens a second one.
 */
@UriEndpoint(firstVersion = "0.1.0", scheme = "reconnecting-websocket", title = "Reconnecting WebSocket client",
             syntax = "reconnecting-websocket:host:port/path", category = { Category.NETWORKING },
             headersClass = ReconnectingWebsocketConstants.class, lenientProperties = true)
public class ReconnectingWebsocketEndpoint extends VertxWebsocketEndpoint {

    @UriParam(description = "Name of the connection's account, used in logs, health and metrics; the server's host name"
                            + " when not set")
    private String account;
    private volatile ReconnectingWebsocketConsumer consumer;

    public ReconnectingWebsocketEndpoint(String uri, ReconnectingWebsocketComponent component,
                                         VertxWebsocketConfiguration configuration) {
        super(uri, component, configuration);
    }

    @Override
    public ReconnectingWebsocketComponent getComponent() {
        return (ReconnectingWebsocketComponent) super.getComponent();
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        ReconnectingWebsocketConsumer created = new ReconnectingWebsocketConsumer(this, processor);
        configureConsumer(created);
        this.consumer = created;
        return created;
    }

    @Override
    protected WebSocket getWebSocket() {
        ReconnectingWebsocketConsumer current = consumer;
        WebSocket socket = current == null ? null : current.currentSocket();
        if (socket == null || socket.isClosed()) {
            throw new IllegalStateException("account=" + account + " is not connected to the Gateway");
        }
        return socket;
    }

    @Override
    protected WebSocket getWebSocket(Exchange exchange) {
        // The parent replaces the socket's exception handler on every send; the consumer owns that handler.
        return getWebSocket();
    }

    HttpClientOptions clientOptions() {
        HttpClientOptions options = new HttpClientOptions(getConfiguration().getClientOptions());
        SSLContextParameters ssl = getConfiguration().getSslContextParameters();
        if (ssl != null) {
            try {
                VertxHelper.setupSSLOptions(getCamelContext(), ssl, options);
            } catch (Exception e) {
                throw new IllegalStateException("Cannot set up TLS for account=" + account, e);
            }
        }
        return options;
    }

    WebSocketConnectOptions connectOptions(HttpClientOptions options) {
        return getWebSocketConnectOptions(options);
    }

    Vertx vertx() {
        return getVertx();
    }

    public String getAccount() {
        return account;
    }

    public void setAccount(String account) {
        this.account = account;
    }
}
