package io.collavre.openclaw.bridge.chat;

import io.collavre.openclaw.bridge.BridgeHeaders;
import org.apache.camel.Exchange;
import org.apache.camel.InvalidPayloadException;
import org.apache.camel.Message;
import org.apache.camel.Processor;

/**
 * Reads what the dispatch of a completed run decides on into exchange properties, in one call per run, so that the
 * route tests plain properties. (Simple's {@code ${body.isOverflowed()}} and a {@code method} call with parameters,
 * {@code parse(${body.sessionKey})}, each go through a reflective bean call per run: a third of the delivery
 * threads' CPU in a profile at 1,000 runs/s.)
 *
 * <p>Expects the completed {@link RunBuffer} as body. Sets:
 * <ul>
 * <li>{@code runId}, {@code account}: the run's id and its Gateway account (the {@code account} header)</li>
 * <li>{@code recovered}: true when the persistent run store's recovery handed the run over again (header
 *     {@code CamelRedelivered}): its delivery never ended</li>
 * <li>{@code sessionKey}: the run's session key, parsed ({@link SessionKey})</li>
 * <li>{@code overflowed}: the run's text went past the cap ({@link RunBuffer#isOverflowed()})</li>
 * <li>{@code hasCreative}: the session key names a creative ({@link SessionKey#hasCreative()})</li>
 * <li>{@code textBlank}: the run's text is blank ({@link RunBuffer#isTextBlank()})</li>
 * </ul>
 */
public class CompletedRunProperties implements Processor {

    public static final String RECOVERED = "recovered";
    public static final String OVERFLOWED = "overflowed";
    public static final String HAS_CREATIVE = "hasCreative";
    public static final String TEXT_BLANK = "textBlank";

    @Override
    public void process(Exchange exchange) throws InvalidPayloadException {
        Message message = exchange.getMessage();
        RunBuffer run = message.getMandatoryBody(RunBuffer.class);
        SessionKey key = SessionKey.parse(run.getSessionKey());
        exchange.setProperty(BridgeHeaders.RUN_ID, run.getRunId());
        exchange.setProperty(BridgeHeaders.ACCOUNT, message.getHeader(BridgeHeaders.ACCOUNT));
        exchange.setProperty(RECOVERED, Boolean.TRUE.equals(message.getHeader(Exchange.REDELIVERED, Boolean.class)));
        exchange.setProperty(BridgeHeaders.SESSION_KEY, key);
        exchange.setProperty(OVERFLOWED, run.isOverflowed());
        exchange.setProperty(HAS_CREATIVE, key.hasCreative());
        exchange.setProperty(TEXT_BLANK, run.isTextBlank());
    }
}
