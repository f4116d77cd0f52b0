package wavlens.io;

import java.time.Duration;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** Progress bars (with ETA) on stderr for long jobs; silent with WAVLENS_QUIET=1 (tests, scripts). */
public final class Progress implements AutoCloseable {
    private final ProgressBar bar;

    private Progress(ProgressBar bar) {
        this.bar = bar;
    }

    public static Progress start(String task, long total, String unit) {
        if (quiet()) return new Progress(null);
        ProgressBar bar = new ProgressBarBuilder()
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
        return new Progress(bar);
    }

    public static boolean quiet() {
        return "1".equals(System.getenv("WAVLENS_QUIET")) || Boolean.getBoolean("wavlens.quiet");
    }

    public void step() {
        if (bar != null) bar.step();
    }

    public void stepBy(long n) {
        if (bar != null) bar.stepBy(n);
    }

    public void message(String text) {
        if (bar != null) bar.setExtraMessage(text);
    }

    @Override
    public void close() {
        if (bar != null) bar.close();
    }
}
