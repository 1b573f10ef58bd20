package io.collavre.openclaw.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A {@link SubjectMain} JVM started by the benchmark, and the line protocol to ask it for its figures. */
final class Subject implements AutoCloseable {

    /** Heap used after a full GC and peak heap used before any GC since the last reset, in bytes. */
    record Heap(long live, long peak) {
    }

    private final Process process;
    private final Socket control;
    private final BufferedReader in;
    private final PrintWriter out;
    private final Path log;

    private Subject(Process process, Socket control, Path log) throws IOException {
        this.process = process;
        this.control = control;
        this.in = new BufferedReader(new InputStreamReader(control.getInputStream(), StandardCharsets.UTF_8));
        this.out = new PrintWriter(control.getOutputStream(), true, StandardCharsets.UTF_8);
        this.log = log;
    }

    static Subject start(String side, List<String> jvmOptions, Path accountsFile, String collavreUrl, Path routesDir,
                         Path log) throws IOException, InterruptedException {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(jvmOptions);
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            command.add(SubjectMain.class.getName());
            command.add(side);
            command.add(accountsFile.toString());
            command.add(collavreUrl);
            command.add(routesDir.toString());
            command.add(Integer.toString(listener.getLocalPort()));
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            listener.setSoTimeout(1000);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (true) {
                try {
                    Socket socket = listener.accept();
                    Subject subject = new Subject(process, socket, log);
                    subject.expect("ready");
                    return subject;
                } catch (SocketTimeoutException e) {
                    if (!process.isAlive()) {
                        throw new IllegalStateException(side + " exited with " + process.exitValue() + " while starting; see " + log);
                    }
                    if (System.nanoTime() > deadline) {
                        process.destroyForcibly();
                        throw new IllegalStateException(side + " did not start within 90 s; see " + log);
                    }
                }
            }
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    Path log() {
        return log;
    }

    long cpuNanos() throws IOException {
        return number("cpu");
    }

    /** Time the subject's JIT compilers have spent so far, in ms; -1 where its JVM does not tell. */
    long compileMillis() throws IOException {
        return number("jit");
    }

    /** Bytes the subject allocated on its heap so far; -1 where its JVM does not tell. */
    long allocatedBytes() throws IOException {
        return number("alloc");
    }

    /** Open buffers the subject's state store has written behind so far; -1 without a durable store. */
    long bufferWrites() throws IOException {
        return number("bufferwrites");
    }

    /** The number the subject answers to a command ({@code <command> <number>}). */
    private long number(String command) throws IOException {
        return Long.parseLong(ask(command).substring(command.length() + 1));
    }

    void resetPeak() throws IOException {
        ask("reset");
    }

    /** Collections that paused the subject so far: count and total ns; the longest since the last call. */
    record Stalls(long pauses, long pauseNanos, long longestPauseNanos) {
    }

    Stalls stalls() throws IOException {
        String[] parts = ask("stalls").split(" ");
        return new Stalls(Long.parseLong(parts[1]), Long.parseLong(parts[2]), Long.parseLong(parts[3]));
    }

    /**
     * The bridge's waits for its state store's commit so far (openclaw_bridge_state_write_wait_seconds): count, total
     * ns, and the cumulative count of each bucket by its bound in ns.
     */
    record StoreWaits(long count, long nanos, long[] boundsNanos, long[] cumulative) {

        /** The waits between {@code before} and this: mean ms and the bound of the bucket that holds the 99th percentile. */
        double meanMsSince(StoreWaits before) {
            long n = count - before.count;
            return n == 0 ? Double.NaN : (nanos - before.nanos) / 1e6 / n;
        }

        double p99BoundMsSince(StoreWaits before) {
            long n = count - before.count;
            for (int i = 0; i < boundsNanos.length; i++) {
                if (cumulative[i] - before.cumulative[i] >= Math.ceil(n * 0.99)) {
                    return boundsNanos[i] / 1e6;
                }
            }
            return Double.POSITIVE_INFINITY;
        }
    }

    /** Null when the subject waits for no store (the in-memory store, the baseline). */
    StoreWaits storeWaits() throws IOException {
        String[] parts = ask("storewait").split(" ");
        if (parts.length < 3) {
            return null;
        }
        int buckets = parts.length - 3;
        long[] bounds = new long[buckets];
        long[] counts = new long[buckets];
        for (int i = 0; i < buckets; i++) {
            String[] bucket = parts[3 + i].split(":");
            bounds[i] = Long.parseLong(bucket[0]);
            counts[i] = Long.parseLong(bucket[1]);
        }
        return new StoreWaits(Long.parseLong(parts[1]), Long.parseLong(parts[2]), bounds, counts);
    }

    Heap heap() throws IOException {
        String[] parts = ask("mem").split(" ");
        return new Heap(Long.parseLong(parts[1]), Long.parseLong(parts[2]));
    }

    private synchronized String ask(String command) throws IOException {
        out.println(command);
        String answer = in.readLine();
        if (answer == null) {
            throw new IOException("the subject exited; see " + log);
        }
        return answer;
    }

    private void expect(String line) throws IOException {
        String answer = in.readLine();
        if (!line.equals(answer)) {
            throw new IOException("expected '" + line + "' from the subject, got '" + answer + "'; see " + log);
        }
    }

    /** Asks the subject to stop, and kills it if it has not within 30 s. */
    @Override
    public void close() {
        if (process.isAlive()) {
            try {
                ask("stop");
            } catch (IOException e) {
                // it is going away anyway
            }
            try {
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        try {
            control.close();
        } catch (IOException e) {
            // nothing left to do
        }
    }
}
