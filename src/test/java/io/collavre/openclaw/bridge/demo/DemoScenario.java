package io.collavre.openclaw.bridge.demo;

import java.util.List;
import java.util.Map;

import io.collavre.openclaw.bridge.testing.GatewaySimulator;
import io.vertx.core.json.JsonObject;

/**
 * Realistic proactive runs as an OpenClaw Gateway streams them to the connection of Collavre user 42: cumulative
 * deltas, a frame the Gateway sends twice, two runs interleaved, an error, an abort, a run for no creative, a
 * replayed run and a frame that is not JSON. Used by the demo and by the tests that watch the metrics move.
 */
public final class DemoScenario {

    public static final String OWNER_ID = "42";
    public static final String STANDUP_KEY = "agent:daily-assistant:collavre:42:creative:100:topic:7";
    public static final String DIGEST_KEY = "agent:daily-assistant:collavre:42:creative:101";
    public static final String NO_CREATIVE_KEY = "agent:daily-assistant:collavre:42";

    /**
     * One frame the Gateway sends.
     *
     * @param note      what it is, for the demo's output
     * @param frame     the frame as sent
     * @param completes whether it ends a run that then goes to the dispatch decision
     */
    public record Step(String note, String frame, boolean completes) {
    }

    /** The runs Collavre must receive: run id to content. */
    public static final Map<String, String> EXPECTED_POSTS = Map.of(
            "run-standup", "Good morning! Stand-up starts in 10 minutes.",
            "run-digest", "3 tasks due today: review the budget, call Ana, ship v2.");

    private DemoScenario() {
    }

    public static List<Step> steps() {
        return List.of(
                step("run-standup delta seq=1 \"Good morning!\" (deltas are cumulative)",
                        chat("run-standup", 1, "delta", STANDUP_KEY, "Good morning!")),
                step("run-standup delta seq=2 \"Good morning! Stand-up\"",
                        chat("run-standup", 2, "delta", STANDUP_KEY, "Good morning! Stand-up")),
                step("run-standup delta seq=2 again (the Gateway sends many frames twice)",
                        chat("run-standup", 2, "delta", STANDUP_KEY, "Good morning! Stand-up")),
                step("run-digest  delta seq=1 \"3 tasks due today: \" (a second run, interleaved)",
                        chat("run-digest", 1, "delta", DIGEST_KEY, "3 tasks due today: ")),
                step("run-standup delta seq=3 \"Good morning! Stand-up starts in 10 minutes.\"",
                        chat("run-standup", 3, "delta", STANDUP_KEY, "Good morning! Stand-up starts in 10 minutes.")),
                completing("run-standup final seq=4, no text of its own: the buffered text is sent",
                        chat("run-standup", 4, "final", STANDUP_KEY, null)),
                completing("run-digest  final seq=2 with text parts (they are joined)",
                        chat("run-digest", 2, "final", DIGEST_KEY, List.of(
                                Map.of("type", "text", "text", "3 tasks due today: "),
                                Map.of("type", "text", "text", "review the budget, call Ana, ship v2.")))),
                step("run-weather delta seq=1 \"Checking the forecast\"",
                        chat("run-weather", 1, "delta", STANDUP_KEY, "Checking the forecast")),
                step("run-weather error \"model overloaded\": the run is dropped",
                        error("run-weather", 2, STANDUP_KEY, "model overloaded")),
                step("run-draft   delta seq=1 \"Drafting a reply\"",
                        chat("run-draft", 1, "delta", STANDUP_KEY, "Drafting a reply")),
                step("run-draft   aborted: the run is dropped",
                        chat("run-draft", 2, "aborted", STANDUP_KEY, null)),
                step("run-private delta seq=1 \"Heartbeat ok\" (session key names no creative)",
                        chat("run-private", 1, "delta", NO_CREATIVE_KEY, "Heartbeat ok")),
                completing("run-private final seq=2: nowhere to post it, skipped",
                        chat("run-private", 2, "final", NO_CREATIVE_KEY, null)),
                completing("run-digest  final seq=9 again (a replayed run): already dispatched, suppressed",
                        chat("run-digest", 9, "final", DIGEST_KEY, "3 tasks due today: review the budget, call Ana, ship v2.")),
                step("a frame that is not JSON: dropped, the connection stays up",
                        "{\"type\":\"event\",\"event\":\"chat\",\"payload\":{\"runId\":"));
    }

    /** The runs of {@link #steps()} that reach the dispatch decision. */
    public static int completingRuns() {
        return (int) steps().stream().filter(Step::completes).count();
    }

    private static Step step(String note, String frame) {
        return new Step(note, frame, false);
    }

    private static Step completing(String note, String frame) {
        return new Step(note, frame, true);
    }

    private static String chat(String runId, Integer seq, String state, String sessionKey, Object content) {
        return GatewaySimulator.chat(runId, seq, state, sessionKey, content);
    }

    private static String error(String runId, int seq, String sessionKey, String message) {
        JsonObject frame = new JsonObject(chat(runId, seq, "error", sessionKey, null));
        frame.getJsonObject("payload").put("errorMessage", message);
        return frame.encode();
    }
}
