package io.collavre.openclaw.bridge.collavre;

import java.util.LinkedHashMap;
import java.util.Map;

import io.collavre.openclaw.bridge.chat.RunBuffer;
import io.collavre.openclaw.bridge.chat.SessionKey;

/**
 * The JSON document Collavre receives for one dispatched run.
 *
 * <p>The user is the owner of the Gateway connection the run came in on, never the user named in the session
 * key: the key is the Gateway's word, the connection is ours.
 */
public final class ProactiveMessage {

    private ProactiveMessage() {
    }

    public static Map<String, Object> of(RunBuffer run) {
        return of(run, SessionKey.parse(run.getSessionKey()));
    }

    /** The document for a run whose session key is parsed already (collavre-dispatch parses it once per run). */
    public static Map<String, Object> of(RunBuffer run, SessionKey key) {
        Map<String, Object> context = new LinkedHashMap<>();
        context.put("creative_id", key.creativeId());
        context.put("thread_id", key.topicId());

        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "proactive");
        body.put("user_id", ownerAsNumber(run.getOwnerId()));
        body.put("content", run.getText());
        body.put("creative_id", key.creativeId());
        body.put("context", context);
        body.put("run_id", run.getRunId());
        body.put("agent_id", key.agentId());
        body.put("session_key", run.getSessionKey());
        return body;
    }

    /** Collavre user ids are numbers; an owner id configured as something else is passed on as it is. */
    private static Object ownerAsNumber(String ownerId) {
        if (ownerId == null) {
            return null;
        }
        try {
            return Long.parseLong(ownerId.trim());
        } catch (NumberFormatException e) {
            return ownerId;
        }
    }
}
