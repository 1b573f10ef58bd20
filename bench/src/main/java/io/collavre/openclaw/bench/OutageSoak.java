package io.collavre.openclaw.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The long Collavre outage of issue 15, against the bridge as shipped (memory store unless {@code --jvm-options}
 * says otherwise): after a warm-up at the same pace with Collavre up, Collavre answers 503 to every post while runs
 * complete at a steady pace for the whole outage (100 runs/s for 10 minutes by default: 60,000 runs). Meanwhile a
 * probe run is started every few seconds and the time until the bridge holds its buffer (read on the developer console, {@code /q/dev/run-state}) is its
 * admission time: a Gateway reader held up by the backlog shows there. At the end of the outage the bridge's heap
 * is read (peak before any collection, live after a full one), Collavre comes back, the dead letters the bridge
 * wrote are moved to its replay folder as an operator would, and every run that ended with a final must reach
 * Collavre exactly once with its exact text. Prints the figures and writes them to {@code soak.md}; exits 1 when
 * a run is lost or posted twice.
 *
 * <p>{@code java -jar bench/target/openclaw-bridge-bench.jar soak [--outage-seconds 600] [--runs-per-second 100]}
 */
final class OutageSoak {

    static final String USAGE = """
            Usage: java -jar bench/target/openclaw-bridge-bench.jar soak [option...]
              --outage-seconds 600           how long Collavre answers 503, while runs complete
              --runs-per-second 100          pace of the runs completing during the outage
              --connections 10               Gateway connections (accounts) the runs are spread over
              --probe-interval-ms 2000       a probe run started this often measures admission
              --warmup-seconds 20            runs at the same pace, Collavre up, before the outage
              --drain-timeout-seconds 900    how long to wait, after the outage, for every run to be delivered
              --jvm-options "..."            more options for the bridge's JVM (after -Xmx512m)
              --seed 42                      seed of the generated stream
              --routes-dir routes            the bridge's routes folder
              --out bench/target/soak-out    output folder: bridge log and GC log, data folder, soak.md,
                                             admissions.csv (each probe's time and admission)
              --help                         this text
            """;

    /** Short runs, so that the pace is runs, not characters: 5-20 cumulative deltas of up to 1,000 chars. */
    private static final Workload.Shape SOAK = new Workload.Shape(5, 20, 200, 1000, 0.02, 0.02, false);
    private static final Workload.Shape PROBE = new Workload.Shape(1, 1, 64, 64, 0, 0, false);
    private static final double DUPLICATES = 0.3;
    /** Runs open at once on each connection: a handful, like agents' proactive runs. */
    private static final int OPEN_PER_CONNECTION = 2;
    private static final long ADMISSION_GIVE_UP_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, String> options;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private URI console;

    private OutageSoak(Map<String, String> options) {
        this.options = options;
    }

    static void main(String[] args) throws Exception {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if ("--help".equals(args[i])) {
                System.out.print(USAGE);
                return;
            }
            if (!args[i].startsWith("--") || i + 1 == args.length) {
                System.err.println("unknown argument or missing value: " + args[i]);
                System.err.print(USAGE);
                System.exit(2);
            }
            options.put(args[i].substring(2), args[++i]);
        }
        System.exit(new OutageSoak(options).run());
    }

    private String option(String name, String fallback) {
        return options.getOrDefault(name, fallback);
    }

    private int run() throws Exception {
        int outageSeconds = Integer.parseInt(option("outage-seconds", "600"));
        int runsPerSecond = Integer.parseInt(option("runs-per-second", "100"));
        int connections = Integer.parseInt(option("connections", "10"));
        long probeIntervalMs = Long.parseLong(option("probe-interval-ms", "2000"));
        int warmupSeconds = Integer.parseInt(option("warmup-seconds", "20"));
        long drainTimeoutSeconds = Long.parseLong(option("drain-timeout-seconds", "900"));
        long seed = Long.parseLong(option("seed", "42"));
        Path routes = Path.of(option("routes-dir", Files.isDirectory(Path.of("routes")) ? "routes" : "../routes"));
        Path out = Path.of(option("out", Files.isDirectory(Path.of("bench")) ? "bench/target/soak-out" : "target/soak-out"));
        Path data = out.resolve("data");
        BenchFiles.deleteTree(data);
        Files.createDirectories(data);
        Path deadLetters = data.resolve("dead-letters");
        int managementPort = freePort();
        console = URI.create("http://127.0.0.1:" + managementPort + "/q/dev/run-state");

        List<String> jvm = new ArrayList<>(List.of("-Xmx512m", "-XX:+ExitOnOutOfMemoryError",
                // A GC log beside the probes' times (admissions.csv), to tell a pause from a held-up reader.
                "-Xlog:gc:file=" + out.toAbsolutePath().resolve("bridge-gc.log") + ":uptime,utctime",
                "-Dbridge.data-dir=" + data.toAbsolutePath(), "-Dbench.management-port=" + managementPort,
                "-Dbridge.management.dev-console=true"));
        Arrays.stream(option("jvm-options", "").trim().split("\\s+")).filter(o -> !o.isEmpty()).forEach(jvm::add);

        List<Workload.Run> runs = Workload.plan(runsPerSecond * outageSeconds, 0, connections, SOAK, seed);
        double framesPerRun = runs.stream().mapToInt(Workload::events).average().orElse(1) * (1 + DUPLICATES);
        List<Workload.Run> probes = new ArrayList<>();
        List<Long> admissions = new ArrayList<>();
        StringBuilder admissionsCsv = new StringBuilder("seconds_into_outage,utc,admission_ms\n");
        List<String> problems = new ArrayList<>();
        long maxWaiting = 0;
        long maxOpen = 0;

        try (CollavreSink sink = new CollavreSink(); GatewayLoad gateway = new GatewayLoad(connections, 5000)) {
            Path accounts = BenchMain.accountsFile(gateway, connections, out);
            System.out.printf(Locale.ROOT, "soak: %,d runs at %d runs/s over %d connections, Collavre down for %d s%n",
                    runs.size(), runsPerSecond, connections, outageSeconds);
            try (Subject bridge = Subject.start("bridge", jvm, accounts, sink.url(), routes.toAbsolutePath(),
                    out.resolve("bridge-soak.log"))) {
                gateway.awaitEstablished(60_000);
                // A bridge that has been running when Collavre goes down: runs at the same pace, delivered, and the
                // probe's path (a delta taken in, the console read) compiled, before anything is measured.
                List<Workload.Run> warmup = Workload.plan(runsPerSecond * warmupSeconds, 9_000_000, connections, SOAK,
                        seed + 1);
                sink.expect(warmup);
                gateway.stream(warmup, OPEN_PER_CONNECTION, DUPLICATES, runsPerSecond * framesPerRun, seed * 5,
                        new AtomicLongArray(warmup.size()), 9_000_000);
                for (int i = 0; i < 20; i++) {
                    Workload.Run probe = Workload.plan(1, 8_000_000 + i, connections, PROBE, seed + 50 + i).get(0);
                    sink.expect(List.of(probe));
                    admission(gateway, probe);
                    gateway.send(probe.connection(), Workload.frame(probe, 2));
                }
                long warmupPosts = warmup.stream().filter(Workload.Run::expectsPost).count() + 20;
                long warmupDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (sink.received() < warmupPosts && System.nanoTime() < warmupDeadline) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
                }
                if (sink.received() < warmupPosts) {
                    throw new IllegalStateException("the warm-up's runs were not all delivered: " + sink.received()
                                                    + " of " + warmupPosts);
                }
                long receivedBeforeOutage = sink.received();
                sink.expect(runs);
                sink.setDown(true);
                bridge.resetPeak();
                long outageStart = System.nanoTime();
                CompletableFuture<GatewayLoad.Streamed> stream = CompletableFuture.supplyAsync(() ->
                        gateway.stream(runs, OPEN_PER_CONNECTION, DUPLICATES, runsPerSecond * framesPerRun, seed * 7,
                                new AtomicLongArray(runs.size()), 0));
                long nextReport = outageStart + TimeUnit.SECONDS.toNanos(30);
                while (!stream.isDone()) {
                    long probeAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(probeIntervalMs);
                    Workload.Run probe = Workload.plan(1, 5_000_000 + probes.size(), connections, PROBE,
                            seed + 100 + probes.size()).get(0);
                    probes.add(probe);
                    sink.expect(List.of(probe));
                    admissions.add(admission(gateway, probe));
                    admissionsCsv.append(String.format(Locale.ROOT, "%.1f,%s,%.1f%n",
                            (System.nanoTime() - outageStart) / 1e9, Instant.now(), admissions.get(admissions.size() - 1) / 1e6));
                    gateway.send(probe.connection(), Workload.frame(probe, 2));
                    JsonNode state = runState();
                    maxWaiting = Math.max(maxWaiting, state.path("collavreWaitingRuns").asLong());
                    maxOpen = Math.max(maxOpen, state.path("openBuffers").asLong());
                    if (System.nanoTime() > nextReport) {
                        nextReport += TimeUnit.SECONDS.toNanos(30);
                        System.out.printf(Locale.ROOT, "  %4d s: %,d posts refused, %,d runs waiting for Collavre, "
                                                       + "%,d dead letters, %d open buffers, last admission %.1f ms%n",
                                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - outageStart), sink.refused(),
                                state.path("collavreWaitingRuns").asLong(), count(deadLetters),
                                state.path("openBuffers").asLong(), admissions.get(admissions.size() - 1) / 1e6);
                    }
                    long wait;
                    while (!stream.isDone() && (wait = probeAt - System.nanoTime()) > 0) {
                        LockSupport.parkNanos(Math.min(wait, TimeUnit.MILLISECONDS.toNanos(50)));
                    }
                }
                GatewayLoad.Streamed streamed = stream.join();
                double streamedSeconds = (streamed.endNanos() - streamed.startNanos()) / 1e9;
                Subject.Heap heap = bridge.heap();
                JsonNode atEnd = runState();
                long lettersAtEnd = count(deadLetters);
                long refusedDuringOutage = sink.refused();
                int peakRefusedPerSecond = sink.peakAttemptsPerSecond(outageStart);

                // Collavre is back: the waiting runs go on their next retry; the operator replays the letters.
                sink.setDown(false);
                long back = System.nanoTime();
                Path replay = deadLetters.resolve("replay");
                Files.createDirectories(replay);
                long replayed = 0;
                try (Stream<Path> letters = Files.list(deadLetters)) {
                    for (Path letter : letters.filter(Files::isRegularFile).toList()) {
                        Files.move(letter, replay.resolve(letter.getFileName()));
                        replayed++;
                    }
                }
                List<Workload.Run> all = new ArrayList<>(runs);
                all.addAll(probes);
                long expected = all.stream().filter(Workload.Run::expectsPost).count();
                long deadline = back + TimeUnit.SECONDS.toNanos(drainTimeoutSeconds);
                while (sink.received() - receivedBeforeOutage < expected && System.nanoTime() < deadline
                       && bridge.isAlive()) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
                }
                double drainSeconds = (sink.lastArrivalNanos() - back) / 1e9;
                int peakPostsPerSecond = sink.peakAttemptsPerSecond(back);
                // Late copies would show up now.
                Thread.sleep(2000);

                long missing = 0;
                List<String> missingSamples = new ArrayList<>();
                for (Workload.Run run : all) {
                    if (run.expectsPost() && sink.get(run.runId()).posts.get() == 0) {
                        missing++;
                        if (missingSamples.size() < 5) {
                            missingSamples.add(run.runId());
                        }
                    }
                }
                if (!bridge.isAlive()) {
                    problems.add("the bridge exited (see " + bridge.log() + ")");
                }
                if (missing > 0) {
                    problems.add(missing + " of " + expected + " runs never reached Collavre, e.g. " + missingSamples);
                }
                if (sink.failures() > 0) {
                    problems.add(sink.failures() + " wrong posts (twice, wrong text or owner): " + sink.failureSamples());
                }
                long leftOver = count(deadLetters) + count(replay);
                if (leftOver > 0) {
                    problems.add(leftOver + " dead letters left after the replay");
                }

                long[] sorted = admissions.stream().mapToLong(Long::longValue).sorted().toArray();
                String report = String.format(Locale.ROOT, """
                        # Collavre outage soak, %s

                        Bridge JVM options: `%s`. Collavre answered 503 to every post for %.0f s while %,d runs (%d
                        runs/s, %d connections, %.1f frames per run with duplicates) completed; %d probe runs measured
                        admission.

                        | figure | value |
                        |---|---:|
                        | runs completed during the outage (streamed in) | %,d (%.0f s) |
                        | posts refused by Collavre during the outage | %,d |
                        | most posts reaching Collavre in one second, during the outage | %,d |
                        | most runs waiting for Collavre (backlog) | %,d |
                        | dead letters written (backlog full, or retries exhausted), replayed after the outage | %,d |
                        | admission of a new run's delta during the outage, p50 / p99 / max | %.1f / %.1f / %.1f ms |
                        | bridge heap at the end of the outage, peak before GC / live after GC (-Xmx512m) | %,d / %,d MB |
                        | open buffers at most | %,d |
                        | time from Collavre's return to the last post | %.0f s |
                        | most posts reaching Collavre in one second, after its return | %,d |
                        | runs delivered / expected (exactly once, exact text) | %,d / %,d |

                        %s
                        """,
                        Instant.now(), String.join(" ", jvm), streamedSeconds, runs.size(), runsPerSecond, connections,
                        framesPerRun, probes.size(), runs.size(), streamedSeconds, refusedDuringOutage,
                        peakRefusedPerSecond, Math.max(maxWaiting, atEnd.path("collavreWaitingRuns").asLong()),
                        Math.max(lettersAtEnd, replayed), BenchMain.percentile(sorted, 0.5) / 1e6,
                        BenchMain.percentile(sorted, 0.99) / 1e6,
                        sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1] / 1e6,
                        heap.peak() >> 20, heap.live() >> 20, maxOpen, drainSeconds, peakPostsPerSecond,
                        expected - missing, expected,
                        problems.isEmpty() ? "Every run delivered exactly once." : "FAILED:\n- " + String.join("\n- ", problems));
                System.out.println();
                System.out.println(report);
                Files.writeString(out.resolve("soak.md"), report, StandardCharsets.UTF_8);
                Files.writeString(out.resolve("admissions.csv"), admissionsCsv, StandardCharsets.UTF_8);
            }
        }
        return problems.isEmpty() ? 0 : 1;
    }

    /**
     * Sends the probe's delta and reads the developer console until the bridge holds the probe's buffer: the time
     * the Gateway reader took to take the frame in, plus one console read at most.
     */
    private long admission(GatewayLoad gateway, Workload.Run probe) throws Exception {
        long sent = System.nanoTime();
        gateway.send(probe.connection(), Workload.frame(probe, 1));
        while (true) {
            for (JsonNode runId : runState().path("openRunIds")) {
                if (probe.runId().equals(runId.asText())) {
                    return System.nanoTime() - sent;
                }
            }
            long waited = System.nanoTime() - sent;
            if (waited > ADMISSION_GIVE_UP_NANOS) {
                return waited;
            }
        }
    }

    private JsonNode runState() throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(console).header("Accept", "application/json")
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("developer console answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body()).path("run-state");
    }

    private static long count(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(Files::isRegularFile).count();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
