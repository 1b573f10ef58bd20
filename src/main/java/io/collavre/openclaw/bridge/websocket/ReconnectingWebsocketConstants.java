package io.collavre.openclaw.bridge.websocket;

import org.apache.camel.spi.Metadata;

/** The headers of the {@code reconnecting-websocket} component. */
public final class ReconnectingWebsocketConstants {

    @Metadata(label = "consumer", description = "The session of the connection the frame arrived on: the route reports"
                                                + " the outcome of its application-level handshake through it"
                                                + " (established or refused)",
              javaType = "io.collavre.openclaw.bridge.websocket.ReconnectingWebsocketConsumer.WebsocketSession")
    public static final String SESSION = "CamelReconnectingWebsocketSession";

    @Metadata(label = "consumer", description = "True on a text frame identical to one of the last few its connection"
                                                + " sent within the component's repeatedFrameWindow: an exact copy,"
                                                + " known before parsing; absent on any other frame",
              javaType = "Boolean")
    public static final String REPEATED_FRAME = "CamelReconnectingWebsocketRepeatedFrame";

    private ReconnectingWebsocketConstants() {
    }
}
