package io.collavre.openclaw.bridge.collavre;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;

import io.collavre.openclaw.bridge.BridgeHeaders;
import io.collavre.openclaw.bridge.ops.DecisionCounter;
import io.collavre.openclaw.bridge.ops.LogSafe;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.Exchange;
import org.apache.camel.Predicate;
import org.apache.camel.Processor;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which failed Collavre posts are tried again, and when. Used by the delivery route's error handler both as its
 * retry-while predicate and as its on-exception-occurred processor.
 *
 * <p>Retried: connection errors and timeouts (any {@link IOException}), 5xx, 408 and 429. Not retried: any other
 * status (a 4xx will fail the same way again) and anything else. A {@code Retry-After} (seconds or an HTTP date)
 * sets the next delay, capped at {@code maxDelayMs}; otherwise the error handler's exponential backoff applies.
 */
public class CollavreRetryPolicy implements Predicate, Processor {

    private static final Logger LOG = LoggerFactory.getLogger(CollavreRetryPolicy.class);

    /** Meter of the retries, counted like the routes' decisions (with the camelContext tag the other meters carry). */
    public static final String RETRIES_METER = "openclaw.bridge.collavre.retries";

    private final Clock clock;
    private final DecisionCounter retries = new DecisionCounter();
    private int maxRedeliveries = 10;
    private long maxDelayMs = 300_000;

    public CollavreRetryPolicy() {
        this(Clock.systemUTC());
    }

    public CollavreRetryPolicy(Clock clock) {
        this.clock = clock;
        retries.setMeter(RETRIES_METER);
    }

    /** Redeliveries after the first attempt; 0 means never retry. */
    public void setMaxRedeliveries(int maxRedeliveries) {
        this.maxRedeliveries = maxRedeliveries;
    }

    /** Longest wait before a redelivery, for the backoff and for a Retry-After alike. */
    public void setMaxDelayMs(long maxDelayMs) {
        this.maxDelayMs = maxDelayMs;
    }

    /** Retry-while: true while the failure is worth retrying and redeliveries are left. */
    @Override
    public boolean matches(Exchange exchange) {
        int redeliveries = exchange.getMessage().getHeader(Exchange.REDELIVERY_COUNTER, 0, Integer.class);
        return isRetryable(failure(exchange)) && redeliveries <= maxRedeliveries;
    }

    /** On exception occurred: sets the delay a Retry-After asks for and logs the attempt's outcome. */
    @Override
    public void process(Exchange exchange) {
        Throwable failure = failure(exchange);
        if (failure instanceof DeliveryBacklog.DeliveryBacklogFull) {
            return; // not an attempt: the run never reached Collavre, and dead-letter-store logs what became of it
        }
        exchange.getMessage().removeHeader(Exchange.REDELIVERY_DELAY);
        Long retryAfter = null;
        if (failure instanceof HttpOperationFailedException http) {
            retryAfter = retryAfterMillis(header(http.getResponseHeaders(), "Retry-After"), clock.instant());
            if (retryAfter != null) {
                retryAfter = Math.min(retryAfter, maxDelayMs);
                exchange.getMessage().setHeader(Exchange.REDELIVERY_DELAY, retryAfter);
            }
        }
        int attempt = exchange.getProperty(CollavreRequestHeaders.ATTEMPTS, 0, Integer.class);
        boolean retrying = matches(exchange);
        if (retrying) {
            countRetry(exchange);
        }
        LOG.warn("runId={} attempt={} status={} error={} outcome={}{}",
                LogSafe.value(exchange.getProperty(BridgeHeaders.RUN_ID)), attempt,
                statusOf(failure), failure == null ? null : failure.getClass().getSimpleName(),
                retrying ? "retrying" : "not-retrying",
                retryAfter != null && retrying ? " retryAfterMs=" + retryAfter : "");
    }

    /** Counts a retry as {@code openclaw_bridge_collavre_retries_total{account}}, when metrics are on. */
    private void countRetry(Exchange exchange) {
        if (exchange.getContext().getRegistry().findSingleByType(MeterRegistry.class) != null) {
            retries.process(exchange);
        }
    }

    /** Connection errors, timeouts, 5xx, 408 and 429 are worth another attempt. */
    public static boolean isRetryable(Throwable failure) {
        if (failure instanceof HttpOperationFailedException http) {
            int status = http.getStatusCode();
            return status >= 500 || status == 429 || status == 408;
        }
        return failure instanceof IOException;
    }

    /** The HTTP status of a failure, or null when Collavre gave no answer. */
    public static Integer statusOf(Throwable failure) {
        return failure instanceof HttpOperationFailedException http ? http.getStatusCode() : null;
    }

    /**
     * The wait a {@code Retry-After} value asks for, in ms: delay-seconds or an HTTP date; null when absent or
     * unreadable, never negative.
     */
    public static Long retryAfterMillis(String value, Instant now) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.trim();
        if (v.chars().allMatch(Character::isDigit)) {
            try {
                return Duration.ofSeconds(Long.parseLong(v)).toMillis();
            } catch (NumberFormatException | ArithmeticException e) {
                return null;
            }
        }
        try {
            Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            return Math.max(0, Duration.between(now, at).toMillis());
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** The failure of an attempt: the exchange's exception, or the one caught by the error handler. */
    public static Throwable failure(Exchange exchange) {
        Throwable failure = exchange.getException();
        return failure != null ? failure : exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
    }

    private static String header(Map<String, String> headers, String name) {
        if (headers == null) {
            return null;
        }
        for (Map.Entry<String, String> e : headers.entrySet()) {
            if (name.equalsIgnoreCase(e.getKey())) {
                return e.getValue();
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return "CollavreRetryPolicy[maxRedeliveries=" + maxRedeliveries + ", maxDelayMs=" + maxDelayMs + "]";
    }
}
