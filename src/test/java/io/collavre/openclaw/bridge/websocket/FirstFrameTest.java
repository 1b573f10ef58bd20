package io.collavre.openclaw.bridge.websocket;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A Gateway sends {@code connect.challenge} the moment the socket opens, so it can reach the bridge in the same
 * TCP read as the upgrade response, before the consumer has been handed the socket. That frame must reach the
 * route like any other. The server here is a bare socket that writes the 101 response and the first frame in one
 * write, which a Vert.x server does only by chance. (The race this guards against in the consumer, frame handlers
 * set on another context after Vert.x resumed the socket, shows only under load: see the note in
 * ReconnectingWebsocketConsumer.connect.)
 */
class FirstFrameTest {

    static final String FIRST = "{\"type\":\"event\",\"event\":\"connect.challenge\"}";

    @Test
    void frameSentWithTheUpgradeResponseReachesTheRoute() throws Exception {
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Socket> accepted = CompletableFuture.supplyAsync(() -> upgradeWithFirstFrame(server));
            CamelContext context = new DefaultCamelContext();
            ReconnectingWebsocketComponent component = new ReconnectingWebsocketComponent();
            // Longer than the test waits: a lost frame must not be covered up by a handshake retry.
            component.setHandshakeTimeout(60_000);
            context.addComponent("reconnecting-websocket", component);
            try {
                // A lambda route builder: Camel Main in other tests scans this package for RouteBuilder classes.
                RouteBuilder.addRoutes(context, routes -> routes
                        .from("reconnecting-websocket:ws://127.0.0.1:" + server.getLocalPort() + "/?account=first")
                        .process(exchange -> received.add(exchange.getMessage().getBody(String.class))));
                context.start();
                Socket socket = accepted.get(10, TimeUnit.SECONDS);
                try {
                    assertEquals(FIRST, received.poll(10, TimeUnit.SECONDS), "the first frame did not reach the route");
                } finally {
                    socket.close();
                }
            } finally {
                context.stop();
            }
        }
    }

    /** Accepts one connection and answers its upgrade request with the 101 response and a text frame, in one write. */
    private static Socket upgradeWithFirstFrame(ServerSocket server) {
        try {
            Socket socket = server.accept();
            String request = readRequestHead(socket.getInputStream());
            Matcher key = Pattern.compile("(?im)^Sec-WebSocket-Key:\\s*(\\S+)\\s*$").matcher(request);
            if (!key.find()) {
                throw new IOException("no Sec-WebSocket-Key in " + request);
            }
            byte[] digest = MessageDigest.getInstance("SHA-1").digest(
                    (key.group(1) + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                            + "Sec-WebSocket-Accept: " + Base64.getEncoder().encodeToString(digest) + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            byte[] payload = FIRST.getBytes(StandardCharsets.UTF_8);
            out.write(0x81); // final fragment, text
            out.write(payload.length); // short enough for the one-byte length, unmasked as a server sends it
            out.writeBytes(payload);
            OutputStream socketOut = socket.getOutputStream();
            socketOut.write(out.toByteArray());
            socketOut.flush();
            return socket;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String readRequestHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed during the upgrade request");
            }
            head.write(b);
            byte[] bytes = head.toByteArray();
            int n = bytes.length;
            if (n >= 4 && bytes[n - 4] == '\r' && bytes[n - 3] == '\n' && bytes[n - 2] == '\r' && bytes[n - 1] == '\n') {
                return head.toString(StandardCharsets.US_ASCII);
            }
        }
    }
}
