package wavlens.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Shape;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Per-layer curves: x is the layer (labels such as "CNN", "1" … "12"), one line with markers per
 * series, optional uncertainty as a shaded band or error bars. A series' colour and marker come
 * from its colour index (Okabe–Ito), so "NMI pretrained" and "NMI fine-tuned" can share a colour
 * and differ by line style: dashed series get hollow markers, which also separates them in
 * greyscale print. NaN values leave a gap.
 */
public final class LineChart {
    private LineChart() {}

    public enum Uncertainty { NONE, BAND, ERROR_BARS }

    /** y[i] at x label i; lower/upper bound the uncertainty (null with NONE). */
    public record Series(String name, double[] y, double[] lower, double[] upper, Uncertainty uncertainty,
                         int colorIndex, boolean dashed) {
        public Series {
            if (uncertainty != Uncertainty.NONE && (lower == null || upper == null || lower.length != y.length || upper.length != y.length)) {
                throw new IllegalArgumentException("series " + name + ": lower and upper must have " + y.length + " values");
            }
        }

        public static Series of(String name, double[] y, int colorIndex, boolean dashed) {
            return new Series(name, y, null, null, Uncertainty.NONE, colorIndex, dashed);
        }

        public Series withBand(double[] lo, double[] hi) {
            return new Series(name, y, lo, hi, Uncertainty.BAND, colorIndex, dashed);
        }

        public Series withErrorBars(double[] lo, double[] hi) {
            return new Series(name, y, lo, hi, Uncertainty.ERROR_BARS, colorIndex, dashed);
        }
    }

    /** yMin/yMax NaN: from the data (with 5% padding). */
    public record Spec(List<String> xLabels, List<Series> series, String xAxisLabel, String yAxisLabel,
                       double yMin, double yMax, double widthPt, double heightPt) {
        public Spec {
            for (Series s : series) {
                if (s.y().length != xLabels.size()) throw new IllegalArgumentException("series " + s.name() + " has " + s.y().length + " values for " + xLabels.size() + " x labels");
            }
        }

        /** Column-width chart (252 × 180 pt). */
        public static Spec of(List<String> xLabels, List<Series> series, String xAxisLabel, String yAxisLabel) {
            return new Spec(xLabels, series, xAxisLabel, yAxisLabel, Double.NaN, Double.NaN, FigureFile.COLUMN_WIDTH, 180);
        }

        public Spec withYRange(double lo, double hi) {
            return new Spec(xLabels, series, xAxisLabel, yAxisLabel, lo, hi, widthPt, heightPt);
        }

        public Spec withSize(double w, double h) {
            return new Spec(xLabels, series, xAxisLabel, yAxisLabel, yMin, yMax, w, h);
        }
    }

    public static Path write(Path dir, String name, Spec spec) {
        return FigureFile.write(dir, name, spec.widthPt(), spec.heightPt(), g -> paint(g, spec));
    }

    static final Palettes.Marker[] MARKERS = {Palettes.Marker.CIRCLE, Palettes.Marker.SQUARE, Palettes.Marker.TRIANGLE_UP,
            Palettes.Marker.DIAMOND, Palettes.Marker.TRIANGLE_DOWN};

    public static void paint(Graphics2D g, Spec spec) {
        int n = spec.xLabels().size();
        List<Plot.LegendEntry> legend = new ArrayList<>();
        for (Series s : spec.series()) {
            legend.add(Plot.LegendEntry.series(s.name(), color(s), MARKERS[s.colorIndex() % MARKERS.length], s.dashed()));
        }
        double margin = 4;
        double legendHeight = Plot.legendRows(g, legend, spec.widthPt() - 2 * margin) * Plot.LEGEND_ROW_HEIGHT;

        double[] yr = yRange(spec);
        double[] ticks = Plot.niceTicks(yr[0], yr[1], 6);
        double step = ticks.length > 1 ? ticks[1] - ticks[0] : 1;
        g.setFont(Plot.font(Plot.FONT_SIZE));
        double tickWidth = 0;
        for (double t : ticks) tickWidth = Math.max(tickWidth, Plot.textWidth(g, Plot.tickLabel(t, step)));
        double left = margin + (spec.yAxisLabel() == null ? 0 : Plot.FONT_SIZE * 1.5) + tickWidth + Plot.TICK_LENGTH + 4;
        double bottom = spec.heightPt() - margin - legendHeight - 4 - (spec.xAxisLabel() == null ? 0 : Plot.FONT_SIZE * 1.4)
                - Plot.FONT_SIZE - Plot.TICK_LENGTH - 4;
        double top = margin + Plot.FONT_SIZE * 0.5, right = spec.widthPt() - margin - 4;
        Rectangle2D area = new Rectangle2D.Double(left, top, right - left, bottom - top);
        // half a step of room at both ends so end markers are not cut by the frame
        Plot.Axes axes = new Plot.Axes(area, -0.5, n - 0.5, yr[0], yr[1]);
        axes.drawYAxis(g, spec.yAxisLabel(), 6);

        // x ticks: every layer label, or every k-th when they would collide
        double widest = 0;
        for (String s : spec.xLabels()) widest = Math.max(widest, Plot.textWidth(g, s));
        double perLabel = area.getWidth() / Math.max(1, n);
        int every = Math.max(1, (int) Math.ceil((widest + 3) / perLabel));
        g.setColor(Plot.AXIS);
        g.setStroke(new BasicStroke(0.6f));
        for (int i = 0; i < n; i++) {
            double x = axes.px(i);
            g.draw(new Line2D.Double(x, area.getMaxY(), x, area.getMaxY() + Plot.TICK_LENGTH));
            if (i % every == 0) Plot.text(g, spec.xLabels().get(i), x, area.getMaxY() + Plot.TICK_LENGTH + 2 + Plot.FONT_SIZE / 2, 0.5);
        }
        if (spec.xAxisLabel() != null) {
            Plot.text(g, spec.xAxisLabel(), area.getCenterX(), area.getMaxY() + Plot.TICK_LENGTH + 4 + Plot.FONT_SIZE * 1.6, 0.5);
        }

        java.awt.Shape clip = g.getClip();
        g.clip(new Rectangle2D.Double(area.getX() - 4, area.getY() - 4, area.getWidth() + 8, area.getHeight() + 8));
        for (Series s : spec.series()) if (s.uncertainty() == Uncertainty.BAND) drawBand(g, axes, s);
        for (Series s : spec.series()) drawSeries(g, axes, s);
        g.setClip(clip);
        axes.drawFrame(g);

        Plot.drawLegend(g, legend, margin, spec.heightPt() - margin - legendHeight, spec.widthPt() - 2 * margin, null);
    }

    private static Color color(Series s) {
        return Palettes.OKABE_ITO[s.colorIndex() % Palettes.OKABE_ITO.length];
    }

    private static double[] yRange(Spec spec) {
        List<double[]> arrays = new ArrayList<>();
        for (Series s : spec.series()) {
            arrays.add(s.y());
            if (s.uncertainty() != Uncertainty.NONE) {
                arrays.add(s.lower());
                arrays.add(s.upper());
            }
        }
        double[] r = Plot.range(arrays.toArray(new double[0][]));
        double[] padded = Plot.pad(r[0], r[1], 0.05);
        return new double[] {Double.isNaN(spec.yMin()) ? padded[0] : spec.yMin(), Double.isNaN(spec.yMax()) ? padded[1] : spec.yMax()};
    }

    /** Band between lower and upper, one polygon per run of finite values, 20% opaque. */
    private static void drawBand(Graphics2D g, Plot.Axes axes, Series s) {
        Color c = color(s);
        g.setColor(new Color(c.getRed(), c.getGreen(), c.getBlue(), 51));
        int n = s.y().length, i = 0;
        while (i < n) {
            if (!Double.isFinite(s.lower()[i]) || !Double.isFinite(s.upper()[i])) {
                i++;
                continue;
            }
            int j = i;
            while (j + 1 < n && Double.isFinite(s.lower()[j + 1]) && Double.isFinite(s.upper()[j + 1])) j++;
            Path2D.Double p = new Path2D.Double();
            p.moveTo(axes.px(i), axes.py(s.upper()[i]));
            for (int k = i + 1; k <= j; k++) p.lineTo(axes.px(k), axes.py(s.upper()[k]));
            for (int k = j; k >= i; k--) p.lineTo(axes.px(k), axes.py(s.lower()[k]));
            p.closePath();
            g.fill(p);
            i = j + 1;
        }
    }

    private static void drawSeries(Graphics2D g, Plot.Axes axes, Series s) {
        Color c = color(s);
        double[] y = s.y();
        g.setColor(c);
        if (s.uncertainty() == Uncertainty.ERROR_BARS) {
            g.setStroke(new BasicStroke(0.8f));
            for (int i = 0; i < y.length; i++) {
                if (!Double.isFinite(s.lower()[i]) || !Double.isFinite(s.upper()[i])) continue;
                double x = axes.px(i), lo = axes.py(s.lower()[i]), hi = axes.py(s.upper()[i]);
                g.draw(new Line2D.Double(x, lo, x, hi));
                g.draw(new Line2D.Double(x - 2, lo, x + 2, lo));
                g.draw(new Line2D.Double(x - 2, hi, x + 2, hi));
            }
        }
        g.setStroke(Plot.lineStroke(1.3f, s.dashed()));
        Path2D.Double line = new Path2D.Double();
        boolean drawing = false;
        for (int i = 0; i < y.length; i++) {
            if (!Double.isFinite(y[i])) {
                drawing = false;
                continue;
            }
            if (drawing) line.lineTo(axes.px(i), axes.py(y[i]));
            else line.moveTo(axes.px(i), axes.py(y[i]));
            drawing = true;
        }
        g.draw(line);
        Palettes.Marker m = MARKERS[s.colorIndex() % MARKERS.length];
        g.setStroke(new BasicStroke(0.9f));
        for (int i = 0; i < y.length; i++) {
            if (!Double.isFinite(y[i])) continue;
            Shape shape = Plot.marker(m, axes.px(i), axes.py(y[i]), 4.5);
            if (s.dashed()) {
                g.setColor(Color.WHITE);
                g.fill(shape);
                g.setColor(c);
                g.draw(shape);
            } else {
                g.setColor(c);
                g.fill(shape);
            }
        }
    }
}
