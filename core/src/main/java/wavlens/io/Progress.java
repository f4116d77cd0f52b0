package wavlens.io;

import java.time.Duration;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** Progress bars (with ETA) on stderr for long jobs; silent with WAVLENS_QUIET=1 (tests, scripts). */
public final class Progress implements AutoCloseable {
    private final ProgressBar bar;
    // Without a terminal (logs, pipes) a plain line every LOG_EVERY_NANOS instead of a redrawn bar.
    private static final long LOG_EVERY_NANOS = 30_000_000_000L;
    private final String task, unit;
    private final long total, startNanos;
    private long current, lastLog;
    private final long startFrom;
    private final boolean log;

    private Progress(ProgressBar bar, String task, long total, String unit, boolean log, long startFrom) {
        this.bar = bar;
        this.task = task;
        this.total = total;
        this.unit = unit;
        this.log = log;
        this.startFrom = startFrom;
        this.current = startFrom;
        this.startNanos = System.nanoTime();
        this.lastLog = startNanos;
    }

    public static Progress start(String task, long total, String unit) {
        return start(task, total, unit, 0);
    }

    /** A bar that starts at startFrom (a resumed job): the rate and ETA count only the work done from here. */
    public static Progress start(String task, long total, String unit, long startFrom) {
        if (quiet()) return new Progress(null, task, total, unit, false, startFrom);
        java.io.Console console = System.console();
        if (console == null || !console.isTerminal()) return new Progress(null, task, total, unit, true, startFrom);
        ProgressBar bar = new ProgressBarBuilder()
                .startsFrom(startFrom, Duration.ZERO)
                .setTaskName(task)
                .setInitialMax(total)
                .setUnit(" " + unit, 1)
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(500)
                .showSpeed()
                .setMaxRenderedLength(100)
                .setEtaFunction(state -> state.getCurrent() <= state.getStart() ? java.util.Optional.empty()
                        : java.util.Optional.of(Duration.ofMillis((long) (state.getElapsedAfterStart().toMillis()
                        * (double) (state.getMax() - state.getCurrent()) / (state.getCurrent() - state.getStart())))))
                .continuousUpdate()
                .build();
        return new Progress(bar, task, total, unit, false, startFrom);
    }

    public static boolean quiet() {
        return "1".equals(System.getenv("WAVLENS_QUIET")) || Boolean.getBoolean("wavlens.quiet");
    }

    public void step() {
        stepBy(1);
    }

    public void stepBy(long n) {
        current += n;
        if (bar != null) bar.stepBy(n);
        if (log) {
            long now = System.nanoTime();
            if (now - lastLog >= LOG_EVERY_NANOS) {
                lastLog = now;
                double elapsed = (now - startNanos) / 1e9;
                double eta = current == startFrom ? Double.NaN : elapsed * (total - current) / (current - startFrom);
                System.err.printf("%s: %d/%d %s, %.0f s elapsed, ETA %.0f s%s%n", task, current, total, unit, elapsed, eta,
                        extra == null ? "" : ", " + extra);
            }
        }
    }

    private String extra;

    /** A short status shown after the bar (e.g. the current loss). */
    public void message(String text) {
        extra = text;
        if (bar != null) bar.setExtraMessage(text);
    }

    @Override
    public void close() {
        if (bar != null) bar.close();
    }
}
