package io.collavre.openclaw.bridge.ops;

import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.apache.camel.impl.console.EventConsole;
import org.apache.camel.spi.EventNotifier;
import org.apache.camel.support.EventHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps Camel's developer console ({@code bridge.management.dev-console}) off the frame threads' path: its events
 * page registers an event notifier that asks for every exchange event, so Camel makes one for every step of every
 * exchange (tens of thousands a second at the Gateway's pace) to keep the last 25. Once the context has started,
 * that notifier is told to ignore exchange events (the page still lists context and route events) and Camel stops
 * making them, unless another notifier asks for them.
 */
public class ConsoleExchangeEvents implements CamelConfiguration, StartupListener {

    private static final Logger LOG = LoggerFactory.getLogger(ConsoleExchangeEvents.class);

    @Override
    public void configure(CamelContext context) throws Exception {
        context.addStartupListener(this);
    }

    @Override
    public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
        // The console's notifier is in place once the context has fully started.
    }

    @Override
    public void onCamelContextFullyStarted(CamelContext context, boolean alreadyStarted) {
        int ignored = 0;
        for (EventNotifier notifier : context.getManagementStrategy().getEventNotifiers()) {
            if (notifier.getClass().getEnclosingClass() == EventConsole.class && !notifier.isIgnoreExchangeEvents()) {
                notifier.setIgnoreExchangeEvents(true);
                ignored++;
            }
        }
        if (ignored > 0) {
            // Camel decides at start whether any notifier wants exchange events, and asks only then.
            context.getCamelContextExtension().setEventNotificationApplicable(EventHelper.eventsApplicable(context));
            LOG.info("devConsole=events exchangeEvents=ignored exchangeEventsApplicable={} outcome=configured",
                    context.getCamelContextExtension().isEventNotificationApplicable());
        }
    }
}
