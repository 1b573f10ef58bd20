package io.collavre.openclaw.bridge.chat;

import java.time.Clock;
import java.util.Map;
import java.util.Set;

import io.collavre.openclaw.bridge.BridgeHeaders;
import io.collavre.openclaw.bridge.ops.LogSafe;
import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Folds the chat events of one run into a {@link RunBuffer}: deltas are merged, the final's text wins when it
 * has any.
 *
 * <p>Expects each incoming exchange to carry the chat payload (a map) as body and the headers {@code runId},
 * {@code state}, {@code sessionKey} and {@code ownerId} set by the chat-events route.
 */
public class RunBufferAggregationStrategy implements AggregationStrategy {

    private static final Logger LOG = LoggerFactory.getLogger("run-buffer-aggregate");

    /** State of the event the route sends to open a buffer for a run whose final came first: adds no text. */
    public static final String OPEN = "open";

    /** The headers a buffered run keeps: plain strings, so that a persistent repository can store them. */
    private static final Set<String> KEPT_HEADERS = Set.of(BridgeHeaders.RUN_ID, BridgeHeaders.STATE,
            BridgeHeaders.SESSION_KEY, BridgeHeaders.OWNER_ID, BridgeHeaders.ACCOUNT);

    private final Clock clock;
    private int maxTextChars = Integer.MAX_VALUE;

    public RunBufferAggregationStrategy() {
        this(Clock.systemUTC());
    }

    public RunBufferAggregationStrategy(Clock clock) {
        this.clock = clock;
    }

    /** A run whose text grows past this many characters is marked overflowed (see {@link RunBuffer}). */
    public void setMaxTextChars(int maxTextChars) {
        if (maxTextChars <= 0) {
            throw new IllegalArgumentException("maxTextChars must be positive, was " + maxTextChars);
        }
        this.maxTextChars = maxTextChars;
    }

    @Override
    public Exchange aggregate(Exchange buffered, Exchange event) {
        Message in = event.getMessage();
        String state = in.getHeader(BridgeHeaders.STATE, String.class);
        Map<?, ?> payload = in.getBody(Map.class);
        String text = ChatText.of(payload == null ? null : payload.get("message"));

        Exchange result = buffered != null ? buffered : event;
        RunBuffer buffer;
        if (buffered == null) {
            buffer = new RunBuffer(in.getHeader(BridgeHeaders.RUN_ID, String.class),
                    in.getHeader(BridgeHeaders.OWNER_ID, String.class),
                    in.getHeader(BridgeHeaders.SESSION_KEY, String.class), clock.instant(), maxTextChars);
            // The connection's own objects (WebSocket session and the like) stay with the frame, not the run.
            in.getHeaders().keySet().removeIf(name -> !KEPT_HEADERS.contains(name));
        } else {
            buffer = buffered.getMessage().getBody(RunBuffer.class);
            buffer.rememberSessionKey(in.getHeader(BridgeHeaders.SESSION_KEY, String.class));
            if (!OPEN.equals(state)) {
                // An open event for a run already buffered (one taken over from another bridge) adds nothing.
                result.getMessage().setHeader(BridgeHeaders.STATE, state);
            }
        }
        if ("final".equals(state)) {
            buffer.applyFinal(text);
        } else if (!OPEN.equals(state)) {
            Long seq = RunBuffer.seqOf(payload);
            if (buffer.isBehind(seq)) {
                LOG.debug("runId={} state=delta seq={} outcome=ignored reason=behind-the-buffer",
                        LogSafe.value(buffer.getRunId()), seq);
            } else {
                buffer.mergeDelta(seq, text);
            }
        }
        result.getMessage().setBody(buffer);
        return result;
    }
}
