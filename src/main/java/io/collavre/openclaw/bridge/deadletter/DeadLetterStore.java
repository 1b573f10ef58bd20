package io.collavre.openclaw.bridge.deadletter;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.collavre.openclaw.bridge.BridgeHeaders;
import io.collavre.openclaw.bridge.ContextScope;
import io.collavre.openclaw.bridge.chat.RunBufferRepository;
import io.collavre.openclaw.bridge.collavre.CollavreRequestHeaders;
import io.collavre.openclaw.bridge.collavre.CollavreRetryPolicy;
import io.collavre.openclaw.bridge.collavre.DeliveryBacklog.DeliveryBacklogFull;
import io.collavre.openclaw.bridge.ops.LogSafe;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Exchange;
import org.apache.camel.api.management.ManagedAttribute;
import org.apache.camel.api.management.ManagedResource;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.apache.camel.support.SynchronizationAdapter;
import org.apache.camel.support.service.ServiceSupport;
import org.apache.camel.util.URISupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dead letters of Collavre posts, one JSON file each in {@code dir}, written atomically (temporary file, then an
 * atomic rename), so a crash never leaves half a letter. A letter holds what is needed to post again and to see why
 * it failed: the payload, the headers that were sent except secrets ({@code Authorization}, the signature), the
 * error, the HTTP status and response body, the number of attempts and the times.
 *
 * <p>Replay: a letter moved into {@code dir/replay} is posted again by the {@code dead-letter-replay} route with
 * its {@code Idempotency-Key}; delivered, it is deleted; failed again, it comes back to {@code dir} with the new
 * error and its attempts added up.
 *
 * <p>In-flight deliveries (only with in-memory run state: the persistent state recovers them itself) are
 * tracked; one that is cut short by a shutdown is written to {@code dir/replay}, so the next start posts it again.
 */
@ManagedResource(description = "Dead letters of Collavre posts, as JSON files")
public class DeadLetterStore extends ServiceSupport implements CamelContextAware {

    public static final String PAYLOAD = "collavrePayload";
    public static final String LETTER = "deadLetter";
    public static final String LETTER_FILE = "deadLetterFile";
    /** The file name of the letter being replayed, kept while the post replaces the message headers. */
    public static final String REPLAYED_FILE = "replayedLetterFile";
    public static final String REPLAY_FOLDER = "replay";

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterStore.class);
    private static final int MAX_RESPONSE_CHARS = 65_536;
    private static final Set<String> SECRET_HEADERS = Set.of("authorization", "proxy-authorization",
            CollavreRequestHeaders.SIGNATURE_HEADER.toLowerCase(Locale.ROOT));
    private static final DateTimeFormatter FILE_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'")
            .withZone(ZoneOffset.UTC);

    private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private final Clock clock;
    private final Map<String, Map<String, Object>> inFlight = new ConcurrentHashMap<>();
    private CamelContext camelContext;
    private Path dir = Path.of("data", "dead-letters");
    private volatile boolean trackInFlight = true;

    public DeadLetterStore() {
        this(Clock.systemUTC());
    }

    public DeadLetterStore(Clock clock) {
        this.clock = clock;
    }

    public void setDir(String dir) {
        this.dir = Path.of(dir);
    }

    public Path getDir() {
        return dir;
    }

    /**
     * With persistent run state the aggregation repository recovers cut-short deliveries: no need to track them.
     * Found out at start from the run buffers' repository (bean {@code runBufferRepository}); a test may say it.
     */
    public void setPersistentState(boolean persistentState) {
        this.trackInFlight = !persistentState;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        if (this.camelContext == camelContext) {
            return;
        }
        this.camelContext = camelContext;
        try {
            // Stopped with Camel, after the routes: whatever delivery is still in flight then is written down.
            camelContext.addService(this, true, true);
        } catch (Exception e) {
            throw new IllegalStateException("Cannot register the dead letter store", e);
        }
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    @Override
    protected void doStart() throws IOException {
        RunBufferRepository buffers = camelContext == null ? null
                : camelContext.getRegistry().lookupByNameAndType("runBufferRepository", RunBufferRepository.class);
        if (buffers != null) {
            // Any store that recovers (embedded, postgresql, however chosen): one path for cut-short deliveries.
            setPersistentState(buffers.isUseRecovery());
        }
        Files.createDirectories(dir.resolve(REPLAY_FOLDER));
    }

    // --- dead letters ---

    /** Writes the failed post of the exchange as a dead letter; returns the letter's file. */
    public Path store(Exchange exchange) throws IOException {
        Throwable failure = CollavreRetryPolicy.failure(exchange);
        if (failure instanceof DeliveryBacklogFull full && !trackInFlight) {
            // Persistent state keeps the completed run: its recovery hands it over again once there is room.
            throw full;
        }
        Map<String, Object> letter = parsePayload(letterOf(exchange));
        letter.put("reason", failure instanceof DeliveryBacklogFull ? "backlog-full"
                : CollavreRetryPolicy.isRetryable(failure) ? "retries-exhausted" : "not-retryable");
        recordFailure(letter, failure, exchange.getProperty(CollavreRequestHeaders.ATTEMPTS, 0, Integer.class));
        letter.put("headers", sentHeaders(exchange));
        Path file = write(dir, fileName(exchange.getProperty(BridgeHeaders.RUN_ID, String.class)), letter);
        exchange.setProperty(LETTER_FILE, file.getFileName().toString());
        exchange.setProperty(LETTER, letter);
        return file;
    }

    /** Prepares a replay from the letter in the body: payload, Idempotency-Key and run id as the post needs them. */
    public void load(Exchange exchange) throws IOException {
        Map<String, Object> letter = json.readValue(exchange.getMessage().getBody(String.class), new TypeReference<>() {
        });
        Object payload = letter.get("payload");
        Object key = letter.get("idempotencyKey");
        if (!(payload instanceof Map<?, ?>) || !(key instanceof String)) {
            throw new IOException("not a dead letter: payload or idempotencyKey missing");
        }
        exchange.setProperty(LETTER, letter);
        exchange.setProperty(REPLAYED_FILE, exchange.getMessage().getHeader(Exchange.FILE_NAME_ONLY, String.class));
        exchange.setProperty(PAYLOAD, json.writeValueAsString(payload));
        exchange.setProperty(CollavreRequestHeaders.IDEMPOTENCY_KEY, key);
        exchange.setProperty(BridgeHeaders.RUN_ID, letter.get("runId"));
        exchange.setProperty(CollavreRequestHeaders.ATTEMPTS, 0);
    }

    /** A replayed letter failed again: back into the store under its file name, with the new error. */
    @SuppressWarnings("unchecked")
    public Path replayFailed(Exchange exchange) throws IOException {
        Map<String, Object> letter = new LinkedHashMap<>(exchange.getProperty(LETTER, Map.class));
        Throwable failure = CollavreRetryPolicy.failure(exchange);
        int before = letter.get("attempts") instanceof Number n ? n.intValue() : 0;
        letter.put("reason", "replay-failed");
        recordFailure(letter, failure, before + exchange.getProperty(CollavreRequestHeaders.ATTEMPTS, 0, Integer.class));
        String name = exchange.getProperty(REPLAYED_FILE, String.class);
        Path file = write(dir, name != null ? name : fileName(exchange.getProperty(BridgeHeaders.RUN_ID, String.class)), letter);
        exchange.setProperty(LETTER_FILE, file.getFileName().toString());
        exchange.setProperty(LETTER, letter);
        return file;
    }

    // --- in-flight deliveries ---

    /** Remembers the delivery of the exchange until it ends; one cut short by a failure is written down. */
    public void track(Exchange exchange) {
        if (!trackInFlight) {
            return;
        }
        String id = exchange.getExchangeId();
        // The payload stays the posted text until a letter is written, which is seldom: parsing it for every run
        // was most of what tracking cost.
        Map<String, Object> letter = letterOf(exchange);
        letter.put("headers", Map.of("Content-Type", "application/json",
                "Idempotency-Key", String.valueOf(letter.get("idempotencyKey"))));
        if (inFlight.putIfAbsent(id, letter) != null) {
            return;
        }
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onComplete(Exchange done) {
                inFlight.remove(id);
            }

            @Override
            public void onFailure(Exchange failed) {
                Map<String, Object> cut = inFlight.remove(id);
                if (cut != null) {
                    writeCutShort(cut, "delivery-interrupted", failed.getException(),
                            failed.getProperty(CollavreRequestHeaders.ATTEMPTS, 0, Integer.class));
                }
            }
        });
    }

    @ManagedAttribute(description = "Deliveries in flight now (tracked only with in-memory run state)")
    public int getInFlight() {
        return inFlight.size();
    }

    @Override
    protected void doStop() {
        if (!ContextScope.endsWith(camelContext)) {
            // Only a route using the store stops (a live reload): the deliveries in flight go on.
            return;
        }
        for (String id : inFlight.keySet()) {
            Map<String, Object> cut = inFlight.remove(id);
            if (cut != null) {
                writeCutShort(cut, "bridge-stopped", null, null);
            }
        }
    }

    private void writeCutShort(Map<String, Object> letter, String reason, Throwable failure, Integer attempts) {
        parsePayload(letter);
        letter.put("reason", reason);
        recordFailure(letter, failure, attempts == null ? 0 : attempts);
        try {
            Path file = write(dir.resolve(REPLAY_FOLDER), fileName((String) letter.get("runId")), letter);
            LOG.warn("runId={} outcome=queued-for-replay reason={} letter={}", LogSafe.value(letter.get("runId")), reason,
                    file.getFileName());
        } catch (IOException e) {
            LOG.error("runId={} outcome=lost reason={} error={}", LogSafe.value(letter.get("runId")), reason,
                    LogSafe.value(e.toString()));
        }
    }

    // --- letters ---

    /** The letter of the exchange's post, its payload still the posted text ({@link #parsePayload} when written). */
    private static Map<String, Object> letterOf(Exchange exchange) {
        Map<String, Object> letter = new LinkedHashMap<>();
        letter.put("runId", exchange.getProperty(BridgeHeaders.RUN_ID, String.class));
        letter.put("idempotencyKey", exchange.getProperty(CollavreRequestHeaders.IDEMPOTENCY_KEY, String.class));
        letter.put("payload", exchange.getProperty(PAYLOAD, String.class));
        return letter;
    }

    /** The letter's payload as JSON in the file (the posted text itself when it is not JSON); returns the letter. */
    private Map<String, Object> parsePayload(Map<String, Object> letter) {
        letter.computeIfPresent("payload", (name, payload) -> payload instanceof String text ? parse(text) : payload);
        return letter;
    }

    private void recordFailure(Map<String, Object> letter, Throwable failure, int attempts) {
        letter.put("status", CollavreRetryPolicy.statusOf(failure));
        letter.put("responseBody", failure instanceof HttpOperationFailedException http
                ? truncate(http.getResponseBody()) : null);
        letter.put("error", failure == null ? null
                : failure.getClass().getName() + ": " + URISupport.sanitizeUri(String.valueOf(failure.getMessage())));
        letter.put("attempts", attempts);
        letter.put("deadLetteredAt", clock.instant().toString());
    }

    private static Map<String, String> sentHeaders(Exchange exchange) {
        Map<String, String> headers = new LinkedHashMap<>();
        exchange.getMessage().getHeaders().forEach((name, value) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (value != null && !lower.startsWith("camel") && !SECRET_HEADERS.contains(lower)) {
                headers.put(name, String.valueOf(value));
            }
        });
        return headers;
    }

    private Object parse(String payload) {
        if (payload == null) {
            return null;
        }
        try {
            return json.readValue(payload, new TypeReference<Map<String, Object>>() {
            });
        } catch (IOException e) {
            return payload;
        }
    }

    private String fileName(String runId) {
        String safe = runId == null ? "no-run-id" : runId.replaceAll("[^A-Za-z0-9._-]", "_");
        if (safe.length() > 80) {
            safe = safe.substring(0, 80);
        }
        return FILE_TIME.format(clock.instant()) + "-" + safe + "-" + UUID.randomUUID().toString().substring(0, 8)
               + ".json";
    }

    /** Writes the letter to a temporary file in the folder, then renames it into place in one step. */
    private Path write(Path folder, String name, Map<String, Object> letter) throws IOException {
        Files.createDirectories(folder);
        Path target = folder.resolve(name);
        Path temp = folder.resolve("." + name + ".tmp");
        Files.write(temp, json.writeValueAsString(letter).getBytes(StandardCharsets.UTF_8));
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        return target;
    }

    private static String truncate(String text) {
        return text == null || text.length() <= MAX_RESPONSE_CHARS ? text : text.substring(0, MAX_RESPONSE_CHARS);
    }

    @Override
    public String toString() {
        return "DeadLetterStore[dir=" + dir + "]";
    }
}
