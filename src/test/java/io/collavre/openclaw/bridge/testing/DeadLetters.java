package io.collavre.openclaw.bridge.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import io.vertx.core.json.JsonObject;

/** Reads the dead letter store's folder the way an operator would: one JSON file per letter. */
public final class DeadLetters {

    private final Path dir;

    public DeadLetters(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    public Path replayDir() {
        return dir.resolve("replay");
    }

    /** The letters in the store (not those waiting in the replay folder). */
    public List<Path> files() {
        return list(dir);
    }

    public List<Path> replayFiles() {
        return list(replayDir());
    }

    public static String text(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JsonObject json(Path file) {
        return new JsonObject(text(file));
    }

    /** Moves a letter into the replay folder, as an operator does with mv. */
    public void replay(Path letter) throws IOException {
        Files.move(letter, replayDir().resolve(letter.getFileName()));
    }

    private static List<Path> list(Path folder) {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".json") && Files.isRegularFile(f))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
