package io.collavre.openclaw.bridge.routes;

import java.time.Instant;
import java.util.Properties;

import io.collavre.openclaw.bridge.BridgeHeaders;
import io.collavre.openclaw.bridge.chat.RunBuffer;
import io.collavre.openclaw.bridge.state.RunStateConfiguration;
import io.vertx.core.json.JsonObject;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.test.junit5.CamelContextConfiguration;
import org.apache.camel.test.junit5.TestExecutionConfiguration;
import org.apache.camel.test.main.junit5.CamelMainTestSupport;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The fast way to test a route edit (docs/routes.md): Camel Main loads the real routes/ and application.properties,
 * without a Gateway or a Collavre; AdviceWith puts a mock where the Collavre post goes, and the test hands a
 * completed run straight to collavre-dispatch. Seconds, not a bridge's worth of servers.
 */
class CollavreDispatchRouteTest extends CamelMainTestSupport {

    static final String KEY = "agent:ai-bot:collavre:42:creative:100:topic:7";

    @Override
    protected void configure(MainConfigurationProperties configuration) {
        // What BridgeMain adds besides the YAML routes, less the Gateway accounts: no connection is made.
        configuration.addConfiguration(RunStateConfiguration.class);
    }

    @Override
    public void configureContext(CamelContextConfiguration camelContextConfiguration) {
        super.configureContext(camelContextConfiguration);
        Properties overrides = new Properties();
        overrides.put("bridge.management.enabled", "false");
        overrides.put("deadletter.dir", "target/route-test-dead-letters");
        camelContextConfiguration.withUseOverridePropertiesWithPropertiesComponent(overrides);
    }

    @Override
    public void configureTest(TestExecutionConfiguration testExecutionConfiguration) {
        super.configureTest(testExecutionConfiguration);
        // The routes start once AdviceWith has put the mock in place.
        testExecutionConfiguration.withUseAdviceWith(true);
    }

    @Test
    void aCompletedRunIsPostedOnceAndAReplayWithinTheDedupTtlIsSuppressed() throws Exception {
        MockEndpoint collavre = collavreMock();
        collavre.expectedMessageCount(1);
        collavre.expectedHeaderReceived("Idempotency-Key", "run-1");

        template.sendBodyAndHeader("direct:collavre-dispatch", run("run-1", KEY, "Stand-up in 10 minutes"),
                BridgeHeaders.ACCOUNT, "default");
        template.sendBodyAndHeader("direct:collavre-dispatch", run("run-1", KEY, "Stand-up in 10 minutes"),
                BridgeHeaders.ACCOUNT, "default");

        collavre.assertIsSatisfied();
        JsonObject posted = new JsonObject(collavre.getExchanges().get(0).getMessage().getBody(String.class));
        assertEquals("Stand-up in 10 minutes", posted.getString("content"));
        assertEquals(100, posted.getInteger("creative_id"));
        assertEquals(7, posted.getJsonObject("context").getInteger("thread_id"));
        assertEquals(42, posted.getInteger("user_id"));
    }

    @Test
    void aRunWithoutACreativeIsNotPosted() throws Exception {
        MockEndpoint collavre = collavreMock();
        collavre.expectedMessageCount(0);

        template.sendBodyAndHeader("direct:collavre-dispatch", run("run-2", "agent:bot:collavre:42", "no creative"),
                BridgeHeaders.ACCOUNT, "default");

        collavre.assertIsSatisfied();
    }

    /** Puts a mock where collavre-post posts to Collavre, then starts the routes. */
    private MockEndpoint collavreMock() throws Exception {
        AdviceWith.adviceWith(context, "collavre-post", route -> route.weaveById("post-to-collavre").replace().to("mock:collavre"));
        context.start();
        return getMockEndpoint("mock:collavre");
    }

    private static RunBuffer run(String runId, String sessionKey, String text) {
        RunBuffer run = new RunBuffer(runId, "42", sessionKey, Instant.now());
        run.mergeDelta(text);
        return run;
    }
}
