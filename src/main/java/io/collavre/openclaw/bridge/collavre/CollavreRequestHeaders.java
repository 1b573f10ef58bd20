package io.collavre.openclaw.bridge.collavre;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.http.HttpMethods;

/**
 * Sets the headers of a Collavre post. Holds the Collavre token and signing secret so that they never appear in a
 * route definition, an endpoint URI or a log line.
 *
 * <p>The body is the JSON document to post; the {@code Idempotency-Key} is the exchange property
 * {@value #IDEMPOTENCY_KEY} (the run id), the same on every attempt and on a replay. When a signing secret is set,
 * {@value #TIMESTAMP_HEADER} carries the time of this attempt in Unix seconds and {@value #SIGNATURE_HEADER} is
 * {@code sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>}, so Collavre can reject forged posts and old
 * ones replayed by someone else.
 */
public class CollavreRequestHeaders {

    public static final String IDEMPOTENCY_KEY = "idempotencyKey";
    /** Exchange property counting the posts made for this exchange. */
    public static final String ATTEMPTS = "collavreAttempts";
    public static final String TIMESTAMP_HEADER = "X-Collavre-Timestamp";
    public static final String SIGNATURE_HEADER = "X-Collavre-Signature";

    /** The headers a post keeps: Camel's redelivery counters (any case, as Camel's header names are matched). */
    private static final Set<String> KEPT_HEADERS = keptHeaders();

    private final Clock clock;
    private String token;
    private String signingSecret;

    public CollavreRequestHeaders() {
        this(Clock.systemUTC());
    }

    public CollavreRequestHeaders(Clock clock) {
        this.clock = clock;
    }

    public void setToken(String token) {
        this.token = token;
    }

    /** Shared secret of the body signature; blank: posts are not signed. */
    public void setSigningSecret(String signingSecret) {
        this.signingSecret = signingSecret;
    }

    /** Sets the headers of the POST of the JSON document in the current message's body. */
    public void apply(Exchange exchange) {
        Message message = exchange.getMessage();
        String body = message.getBody(String.class);
        // camel-http sends every message header: only what Collavre needs may be left. The redelivery counters
        // stay (camel-http never sends Camel headers): the error handler counts attempts with them.
        // (Not removeHeaders("*", kept...): it tries every kept name on every header as a regex, compiled each time.)
        message.getHeaders().keySet().removeIf(name -> !KEPT_HEADERS.contains(name));
        // The enum, not "POST": camel-http would convert the text on every post, through a converter lookup that misses.
        message.setHeader(Exchange.HTTP_METHOD, HttpMethods.POST);
        message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        message.setHeader("Idempotency-Key", exchange.getProperty(IDEMPOTENCY_KEY, String.class));
        if (token != null && !token.isBlank()) {
            message.setHeader("Authorization", "Bearer " + token.trim());
        }
        if (signingSecret != null && !signingSecret.isBlank()) {
            String timestamp = String.valueOf(clock.instant().getEpochSecond());
            message.setHeader(TIMESTAMP_HEADER, timestamp);
            message.setHeader(SIGNATURE_HEADER, "sha256=" + signature(signingSecret, timestamp, body));
        }
        exchange.setProperty(ATTEMPTS, exchange.getProperty(ATTEMPTS, 0, Integer.class) + 1);
    }

    private static Set<String> keptHeaders() {
        Set<String> kept = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        kept.addAll(List.of(Exchange.REDELIVERY_COUNTER, Exchange.REDELIVERED, Exchange.REDELIVERY_MAX_COUNTER));
        return Collections.unmodifiableSet(kept);
    }

    /** Hex HMAC-SHA256 of {@code timestamp + "." + body} under the secret. */
    public static String signature(String secret, String timestamp, String body) {
        return hmacSha256Hex(secret, timestamp + "." + (body == null ? "" : body));
    }

    static String hmacSha256Hex(String secret, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(data.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    @Override
    public String toString() {
        return "CollavreRequestHeaders[token=" + (token == null || token.isBlank() ? "unset" : "***")
               + ", signing=" + (signingSecret == null || signingSecret.isBlank() ? "off" : "***") + "]";
    }
}
