package io.collavre.openclaw.bridge.collavre;

import io.collavre.openclaw.bridge.chat.RunBuffer;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * Sets the headers of a Collavre post. Holds the Collavre token so that it never appears in a route
 * definition, an endpoint URI or a log line.
 */
public class CollavreRequestHeaders {

    private String token;

    public void setToken(String token) {
        this.token = token;
    }

    /** Sets the headers of the POST for the run buffered in the current message's body. */
    public void apply(Exchange exchange) {
        Message message = exchange.getMessage();
        String runId = message.getBody(RunBuffer.class).getRunId();
        // camel-http sends every message header: only what Collavre needs may be left.
        message.removeHeaders("*");
        message.setHeader(Exchange.HTTP_METHOD, "POST");
        message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        message.setHeader("Idempotency-Key", runId);
        if (token != null && !token.isBlank()) {
            message.setHeader("Authorization", "Bearer " + token.trim());
        }
    }

    @Override
    public String toString() {
        return "CollavreRequestHeaders[token=" + (token == null || token.isBlank() ? "unset" : "***") + "]";
    }
}
