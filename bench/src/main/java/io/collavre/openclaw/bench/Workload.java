package io.collavre.openclaw.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;

/**
 * The runs of one benchmark phase, drawn from a seed, and the Gateway frames that carry them. The same seed
 * gives the same runs, the same frames and, per connection, the same frame order: both sides get the same stream.
 *
 * <p>Texts are slices of one generated corpus (ASCII words, punctuation, newlines and quotes, so that JSON
 * escaping is exercised); the corpus is kept escaped too, so building a frame is a copy, not an escape.
 */
final class Workload {

    /** How a run ends. OPEN runs never end: they are the open buffers of the memory phase. */
    enum Ending { FINAL, ERROR, ABORTED, OPEN }

    /** How a final frame carries its text: as a string, as two text parts, or not at all (the buffer's text wins). */
    enum FinalForm { STRING, PARTS, EMPTY }

    /** The shape of the runs of a phase. */
    record Shape(int minDeltas, int maxDeltas, int minChars, int maxChars, double errorShare, double abortShare,
                 boolean open) {
    }

    /**
     * One run: on which connection, for whom, how many cumulative deltas, which slice of the corpus is its
     * text and how it ends.
     */
    record Run(int index, String runId, int connection, long ownerId, int creativeId, int deltas, int textOffset,
               int textLength, Ending ending, int endAfterDeltas, FinalForm finalForm) {

        String sessionKey() {
            return "agent:bot:collavre:" + ownerId + ":creative:" + creativeId;
        }

        /** The text Collavre must receive for this run. */
        String expectedText() {
            return CORPUS.substring(textOffset, textOffset + textLength);
        }

        /** Whether Collavre must receive this run (exactly once). */
        boolean expectsPost() {
            return ending == Ending.FINAL;
        }
    }

    static final int CORPUS_CHARS = 128 * 1024;
    static final String CORPUS;
    private static final String ESCAPED;
    /** Position in {@link #ESCAPED} of each position of {@link #CORPUS} (one more entry for the end). */
    private static final int[] ESCAPED_AT;

    static {
        String[] words = {"the", "agent", "reminder", "meeting", "notes", "summary", "project", "deadline", "today",
            "tomorrow", "review", "draft", "please", "check", "update", "creative", "topic", "idea", "plan", "next",
            "steps", "follow", "up", "with", "and", "for", "on", "in", "a", "is", "it", "your", "team", "weekly",
            "report", "schedule", "call", "list", "items", "done", "open", "question", "answer", "heartbeat",
            "cron", "job", "daily", "standup", "budget", "design"};
        Random random = new Random(20240501L);
        StringBuilder corpus = new StringBuilder(CORPUS_CHARS + 64);
        while (corpus.length() < CORPUS_CHARS) {
            int roll = random.nextInt(100);
            if (roll < 3) {
                corpus.append(".\n\n");
            } else if (roll < 5) {
                corpus.append(" \"").append(words[random.nextInt(words.length)]).append("\" ");
            } else if (roll < 10) {
                corpus.append(", ");
            } else {
                corpus.append(words[random.nextInt(words.length)]).append(' ');
            }
        }
        CORPUS = corpus.substring(0, CORPUS_CHARS);
        StringBuilder escaped = new StringBuilder(CORPUS_CHARS + CORPUS_CHARS / 10);
        ESCAPED_AT = new int[CORPUS_CHARS + 1];
        for (int i = 0; i < CORPUS_CHARS; i++) {
            ESCAPED_AT[i] = escaped.length();
            char c = CORPUS.charAt(i);
            switch (c) {
                case '\n' -> escaped.append("\\n");
                case '"' -> escaped.append("\\\"");
                default -> escaped.append(c);
            }
        }
        ESCAPED_AT[CORPUS_CHARS] = escaped.length();
        ESCAPED = escaped.toString();
    }

    private Workload() {
    }

    /**
     * Draws {@code count} runs numbered from {@code firstIndex}, assigned to the connections in turn.
     * Connection {@code c} is owned by Collavre user {@code ownerOf(c)}.
     */
    static List<Run> plan(int count, int firstIndex, int connections, Shape shape, long seed) {
        Random random = new Random(seed);
        List<Run> runs = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int index = firstIndex + i;
            int connection = index % connections;
            int deltas = shape.minDeltas + random.nextInt(shape.maxDeltas - shape.minDeltas + 1);
            int chars = shape.minChars + random.nextInt(shape.maxChars - shape.minChars + 1);
            int offset = random.nextInt(CORPUS_CHARS - chars);
            // A run's text never starts or ends with a blank, so "not blank" holds for every run that expects a post.
            while (Character.isWhitespace(CORPUS.charAt(offset))) {
                offset++;
            }
            Ending ending = Ending.FINAL;
            double roll = random.nextDouble();
            if (shape.open) {
                ending = Ending.OPEN;
            } else if (roll < shape.errorShare) {
                ending = Ending.ERROR;
            } else if (roll < shape.errorShare + shape.abortShare) {
                ending = Ending.ABORTED;
            }
            int endAfter = ending == Ending.FINAL || ending == Ending.OPEN ? deltas : 1 + random.nextInt(deltas);
            FinalForm form = switch (random.nextInt(4)) {
                case 0, 1 -> FinalForm.PARTS;
                case 2 -> FinalForm.STRING;
                default -> FinalForm.EMPTY;
            };
            String runId = new UUID(random.nextLong(), random.nextLong()).toString();
            runs.add(new Run(index, runId, connection, ownerOf(connection), 1 + random.nextInt(5000), deltas,
                    offset, chars, ending, endAfter, form));
        }
        return runs;
    }

    static long ownerOf(int connection) {
        return 1000L + connection;
    }

    /** Number of chat events (not counting duplicates) a run produces. */
    static int events(Run run) {
        return switch (run.ending) {
            case FINAL -> run.deltas + 1;
            case ERROR, ABORTED -> run.endAfterDeltas + 1;
            case OPEN -> run.deltas;
        };
    }

    /** Text length of the run's delta number {@code k} (1-based): cumulative, the last delta is the whole text. */
    static int deltaLength(Run run, int k) {
        return (int) Math.max(1, (long) run.textLength * k / run.deltas);
    }

    /** The Gateway frame of event number {@code k} (1-based) of the run. */
    static String frame(Run run, int k) {
        StringBuilder out = new StringBuilder(160 + deltaLength(run, Math.min(k, run.deltas)) * 11 / 10);
        out.append("{\"type\":\"event\",\"event\":\"chat\",\"payload\":{\"runId\":\"").append(run.runId)
                .append("\",\"sessionKey\":\"").append(run.sessionKey()).append('"');
        boolean terminal = k > (run.ending == Ending.FINAL || run.ending == Ending.OPEN ? run.deltas : run.endAfterDeltas);
        if (!terminal) {
            out.append(",\"seq\":").append(k).append(",\"state\":\"delta\",\"message\":{\"role\":\"assistant\",\"content\":[");
            textPart(out, run.textOffset, run.textOffset + deltaLength(run, k));
            out.append("]}");
        } else if (run.ending == Ending.FINAL) {
            // The final shares its seq with the last delta: the state tells them apart.
            out.append(",\"seq\":").append(k - 1).append(",\"state\":\"final\"");
            int end = run.textOffset + run.textLength;
            switch (run.finalForm) {
                case STRING -> {
                    out.append(",\"message\":{\"role\":\"assistant\",\"content\":\"");
                    out.append(ESCAPED, ESCAPED_AT[run.textOffset], ESCAPED_AT[end]);
                    out.append("\"}");
                }
                case PARTS -> {
                    int middle = run.textOffset + run.textLength / 2;
                    out.append(",\"message\":{\"role\":\"assistant\",\"content\":[");
                    textPart(out, run.textOffset, middle);
                    out.append(',');
                    textPart(out, middle, end);
                    out.append("]}");
                }
                case EMPTY -> {
                    // no message: the buffered text is the run's text
                }
            }
        } else if (run.ending == Ending.ERROR) {
            out.append(",\"seq\":").append(k).append(",\"state\":\"error\",\"errorMessage\":\"model overloaded\"");
        } else {
            out.append(",\"seq\":").append(k).append(",\"state\":\"aborted\"");
        }
        return out.append("}}").toString();
    }

    /** Whether event number {@code k} of the run is its final. */
    static boolean isFinal(Run run, int k) {
        return run.ending == Ending.FINAL && k == run.deltas + 1;
    }

    private static void textPart(StringBuilder out, int from, int to) {
        out.append("{\"type\":\"text\",\"text\":\"").append(ESCAPED, ESCAPED_AT[from], ESCAPED_AT[to]).append("\"}");
    }
}
