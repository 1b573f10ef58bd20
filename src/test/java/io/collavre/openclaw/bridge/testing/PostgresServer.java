package io.collavre.openclaw.bridge.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A private, throwaway PostgreSQL server for tests: its own cluster in a temporary folder, on a free loopback
 * port, with one database and one user; {@link #stop()} and {@link #restart()} make an outage; {@link #close()}
 * stops it and deletes everything.
 *
 * <p>It runs the server binaries of the Debian {@code postgresql} package (found with {@code pg_config --bindir},
 * then under {@code /usr/lib/postgresql/<version>/bin}, or in the folder {@code PG_BIN} names). {@code initdb}
 * refuses to run as root: when the tests run as root, as CI does, the cluster belongs to the {@code postgres}
 * user and {@code initdb} and {@code pg_ctl} run through {@code runuser -u postgres --}.
 */
public final class PostgresServer implements AutoCloseable {

    private static final String SYSTEM_USER = "postgres";
    private static final String SUPERUSER = "postgres";
    private static final long COMMAND_TIMEOUT_SECONDS = 60;

    private final Path binDir;
    private final Path base;
    private final Path data;
    private final boolean asPostgresUser;
    private final String superuserPassword = secret();
    private final String database;
    private final String user;
    private final String password = secret();
    private final Thread shutdownHook = new Thread(this::stopQuietly, "postgres-server-stop");
    private int port;
    private volatile boolean running;

    private PostgresServer(Path binDir, String database, String user) throws IOException {
        this.binDir = binDir;
        this.database = database;
        this.user = user;
        this.asPostgresUser = runningAsRoot();
        this.base = Files.createTempDirectory("bridge-pg-");
        this.data = base.resolve("data");
        if (asPostgresUser) {
            giveToPostgresUser(base);
        }
    }

    /** Starts a server with database and user {@code bridge}. */
    public static PostgresServer start() throws IOException, InterruptedException, SQLException {
        return start("bridge", "bridge");
    }

    public static PostgresServer start(String database, String user)
            throws IOException, InterruptedException, SQLException {
        PostgresServer server = new PostgresServer(findBinDir(), database, user);
        try {
            server.initAndStart();
            return server;
        } catch (IOException | InterruptedException | SQLException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    private void initAndStart() throws IOException, InterruptedException, SQLException {
        Path passwordFile = base.resolve("superuser-password");
        Files.writeString(passwordFile, superuserPassword + "\n", StandardCharsets.UTF_8);
        if (asPostgresUser) {
            giveToPostgresUser(passwordFile);
        }
        run(List.of(binDir.resolve("initdb").toString(), "-D", data.toString(), "-U", SUPERUSER, "-E", "UTF8",
                "--no-locale", "--no-sync", "--auth-local=trust", "--auth-host=scram-sha-256",
                "--pwfile=" + passwordFile));
        Files.delete(passwordFile);

        // A port found free can be taken before the server binds it: try a few.
        IOException lastFailure = null;
        for (int attempt = 0; attempt < 3 && !running; attempt++) {
            port = freePort();
            try {
                startServer();
                running = true;
            } catch (IOException e) {
                lastFailure = e;
            }
        }
        if (!running) {
            throw lastFailure;
        }
        Runtime.getRuntime().addShutdownHook(shutdownHook);

        try (Connection admin = DriverManager.getConnection(jdbcUrl("postgres"), SUPERUSER, superuserPassword);
             Statement sql = admin.createStatement()) {
            sql.execute("CREATE USER " + user + " PASSWORD '" + password + "'");
            sql.execute("CREATE DATABASE " + database + " OWNER " + user);
        }
    }

    /** Starts the server of the cluster in {@link #data} on {@link #port}; returns once it accepts connections. */
    private void startServer() throws IOException, InterruptedException {
        // Sockets in the data folder (only its owner can reach it), TCP on loopback only; a throwaway cluster needs
        // no durability. -w: pg_ctl returns once the server accepts connections, or fails after 60 s.
        run(List.of(binDir.resolve("pg_ctl").toString(), "-D", data.toString(), "-l",
                base.resolve("server.log").toString(), "-w", "-t", "60", "-o",
                "-p " + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories=" + data
                + " -c fsync=off -c synchronous_commit=off -c full_page_writes=off", "start"));
    }

    /**
     * Stops the server as an outage would, keeping its data: {@code pg_ctl stop -m fast} ends the open connections
     * (clients see them fail) and writes a shutdown checkpoint, so {@link #restart()} finds every committed row.
     * Connecting fails until then.
     */
    public synchronized void stop() throws IOException, InterruptedException {
        if (!running) {
            return;
        }
        running = false;
        run(List.of(binDir.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "fast", "-w", "stop"));
    }

    /**
     * Starts the server stopped by {@link #stop()} again, on the same data and the same port (the clients' URL
     * still holds), and returns once it accepts connections. Fails if the port was taken in the meantime.
     */
    public synchronized void restart() throws IOException, InterruptedException {
        if (running) {
            return;
        }
        startServer();
        running = true;
    }

    /** {@code jdbc:postgresql://127.0.0.1:<port>/<database>} */
    public String jdbcUrl() {
        return jdbcUrl(database);
    }

    private String jdbcUrl(String db) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + db;
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    public int port() {
        return port;
    }

    /** The folder of the cluster, its log and its sockets; deleted on close. */
    public Path directory() {
        return base;
    }

    /**
     * Drops the bridge's tables (run buffers, outbox, dedup keys, heartbeats, and those of builds before the
     * write-behind store): a fresh database.
     */
    public void dropBridgeTables() throws SQLException {
        try (Connection connection = connect(); Statement sql = connection.createStatement()) {
            sql.execute("DROP TABLE IF EXISTS run_buffer_rows, run_buffer_outbox, run_buffers, run_buffers_completed,"
                        + " camel_messageprocessed, bridge_instances");
        }
    }

    /** A new connection to the database as its user. */
    public Connection connect() throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", user);
        properties.setProperty("password", password);
        return DriverManager.getConnection(jdbcUrl(), properties);
    }

    @Override
    public void close() {
        stopQuietly();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException | IllegalArgumentException e) {
            // The JVM is shutting down, or the hook was never added.
        }
        deleteRecursively(base);
    }

    private synchronized void stopQuietly() {
        if (!running) {
            return;
        }
        running = false;
        try {
            run(List.of(binDir.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "-w", "stop"));
        } catch (IOException e) {
            System.err.println("PostgresServer: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs a server command, as the postgres user when the JVM runs as root; fails with its output. */
    private void run(List<String> command) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>();
        if (asPostgresUser) {
            full.addAll(List.of("runuser", "-u", SYSTEM_USER, "--"));
        }
        full.addAll(command);
        Path output = Files.createTempFile("bridge-pg-command-", ".log");
        try {
            Process process = new ProcessBuilder(full).directory(base.toFile()).redirectErrorStream(true)
                    .redirectOutput(output.toFile()).start();
            if (!process.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish within " + COMMAND_TIMEOUT_SECONDS
                                      + " s: " + Files.readString(output));
            }
            if (process.exitValue() != 0) {
                Path serverLog = base.resolve("server.log");
                String log = Files.isReadable(serverLog) ? "\nserver log:\n" + Files.readString(serverLog) : "";
                throw new IOException(String.join(" ", command) + " failed (exit " + process.exitValue() + "): "
                                      + Files.readString(output) + log);
            }
        } finally {
            Files.deleteIfExists(output);
        }
    }

    static Path findBinDir() throws IOException, InterruptedException {
        List<Path> candidates = new ArrayList<>();
        String env = System.getenv("PG_BIN");
        if (env != null && !env.isBlank()) {
            candidates.add(Path.of(env.trim()));
        }
        try {
            Process pgConfig = new ProcessBuilder("pg_config", "--bindir").redirectErrorStream(true).start();
            String out = new String(pgConfig.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (pgConfig.waitFor() == 0 && !out.isEmpty()) {
                candidates.add(Path.of(out));
            }
        } catch (IOException e) {
            // No pg_config (it comes with libpq-dev): look in the usual place.
        }
        Path debian = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(debian)) {
            try (Stream<Path> versions = Files.list(debian)) {
                versions.map(v -> v.resolve("bin"))
                        .sorted(Comparator.comparing(PostgresServer::majorVersion).reversed())
                        .forEach(candidates::add);
            }
        }
        return candidates.stream()
                .filter(dir -> Files.isExecutable(dir.resolve("initdb")) && Files.isExecutable(dir.resolve("pg_ctl")))
                .findFirst()
                .orElseThrow(() -> new IOException("No PostgreSQL server binaries (initdb, pg_ctl) in " + candidates
                                                   + ": install the Debian package 'postgresql' or set PG_BIN"));
    }

    private static int majorVersion(Path binDir) {
        try {
            return Integer.parseInt(binDir.getParent().getFileName().toString());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static boolean runningAsRoot() throws IOException {
        return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
    }

    private static void giveToPostgresUser(Path path) throws IOException {
        UserPrincipalLookupService lookup = path.getFileSystem().getUserPrincipalLookupService();
        UserPrincipal owner;
        GroupPrincipal group;
        try {
            owner = lookup.lookupPrincipalByName(SYSTEM_USER);
            group = lookup.lookupPrincipalByGroupName(SYSTEM_USER);
        } catch (IOException e) {
            throw new IOException("Running as root, PostgreSQL needs the system user '" + SYSTEM_USER
                                  + "' (the Debian package 'postgresql' creates it)", e);
        }
        PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class);
        view.setOwner(owner);
        view.setGroup(group);
        view.setPermissions(PosixFilePermissions.fromString(Files.isDirectory(path) ? "rwx------" : "rw-------"));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static String secret() {
        byte[] bytes = new byte[16];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static void deleteRecursively(Path path) {
        try {
            if (Files.isDirectory(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                try (DirectoryStream<Path> children = Files.newDirectoryStream(path)) {
                    for (Path child : children) {
                        deleteRecursively(child);
                    }
                }
            }
            Files.deleteIfExists(path);
        } catch (IOException e) {
            System.err.println("PostgresServer: cannot delete " + path + ": " + e.getMessage());
        }
    }
}
