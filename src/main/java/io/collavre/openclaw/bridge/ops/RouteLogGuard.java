package io.collavre.openclaw.bridge.ops;

import org.apache.camel.Exchange;
import org.apache.camel.spi.CamelLogger;
import org.apache.camel.spi.LogListener;

/**
 * Every line a route's {@code log} step writes passes through {@link LogSafe#line}: the values a route puts in its
 * lines ({@code ${header.runId}}, {@code ${body[errorMessage]}}) come from the Gateway, and none may break the line
 * or pass for another. Camel Main registers it from the registry (routes/operations.yaml); it works the same under
 * any logging backend, Karaf's included.
 */
public class RouteLogGuard implements LogListener {

    @Override
    public String onLog(Exchange exchange, CamelLogger camelLogger, String message) {
        return LogSafe.line(message);
    }
}
