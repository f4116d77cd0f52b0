package wavlens.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Per-item points (letters) with their text labels, the least-squares line and its 95% confidence
 * band ({@link LinearFit}), e.g. per-letter accuracy against log training frequency, or against
 * the pretrained model's cluster purity. With logX the fit is y on log10(x) and the x axis is
 * logarithmic; points with x ≤ 0 then cannot be placed and are left out of plot and fit, as are
 * non-finite values. Each label goes at the first of eight positions around its point that
 * overlaps no point and no label placed before it (or, failing that, the least-overlapping one).
 */
public final class ScatterFit {
    private ScatterFit() {}

    public record Spec(List<String> labels, double[] x, double[] y, String xAxisLabel, String yAxisLabel, boolean logX,
                       double widthPt, double heightPt) {
        public Spec {
            if (labels.size() != x.length || x.length != y.length) {
                throw new IllegalArgumentException(labels.size() + " labels, " + x.length + " x, " + y.length + " y values");
            }
        }

        /** Column-width figure (252 × 200 pt). */
        public static Spec of(List<String> labels, double[] x, double[] y, String xAxisLabel, String yAxisLabel, boolean logX) {
            return new Spec(labels, x, y, xAxisLabel, yAxisLabel, logX, FigureFile.COLUMN_WIDTH, 200);
        }

        public Spec withSize(double w, double h) {
            return new Spec(labels, x, y, xAxisLabel, yAxisLabel, logX, w, h);
        }

        /** x as fitted and plotted: log10(x) with logX (NaN for x ≤ 0), else x. */
        public double[] plottedX() {
            double[] out = new double[x.length];
            for (int i = 0; i < x.length; i++) out[i] = !logX ? x[i] : x[i] > 0 ? Math.log10(x[i]) : Double.NaN;
            return out;
        }

        public LinearFit fit() {
            return LinearFit.of(plottedX(), y);
        }
    }

    public static Path write(Path dir, String name, Spec spec) {
        return FigureFile.write(dir, name, spec.widthPt(), spec.heightPt(), g -> paint(g, spec));
    }

    public static void paint(Graphics2D g, Spec spec) {
        double[] px = spec.plottedX(), y = spec.y();
        LinearFit fit = spec.fit();
        double[] xr = Plot.range(px), yr = Plot.range(y);
        xr = Plot.pad(xr[0], xr[1], 0.06);
        // the band may reach beyond the points; keep the y range to the points (clipped) padded for labels
        yr = Plot.pad(yr[0], yr[1], 0.08);

        double margin = 4;
        g.setFont(Plot.font(Plot.FONT_SIZE));
        double[] yTicks = Plot.niceTicks(yr[0], yr[1], 6);
        double yStep = yTicks.length > 1 ? yTicks[1] - yTicks[0] : 1;
        double tickWidth = 0;
        for (double t : yTicks) tickWidth = Math.max(tickWidth, Plot.textWidth(g, Plot.tickLabel(t, yStep)));
        double left = margin + (spec.yAxisLabel() == null ? 0 : Plot.FONT_SIZE * 1.5) + tickWidth + Plot.TICK_LENGTH + 4;
        double bottom = spec.heightPt() - margin - (spec.xAxisLabel() == null ? 0 : Plot.FONT_SIZE * 1.4) - Plot.FONT_SIZE - Plot.TICK_LENGTH - 4;
        Rectangle2D area = new Rectangle2D.Double(left, margin + Plot.FONT_SIZE * 0.5, spec.widthPt() - margin - 6 - left,
                bottom - margin - Plot.FONT_SIZE * 0.5);
        Plot.Axes axes = new Plot.Axes(area, xr[0], xr[1], yr[0], yr[1]);
        axes.drawYAxis(g, spec.yAxisLabel(), 6);
        if (spec.logX()) drawLogXAxis(g, axes, spec.xAxisLabel());
        else axes.drawXAxis(g, spec.xAxisLabel(), 6);

        java.awt.Shape clip = g.getClip();
        g.clip(area);
        if (Double.isFinite(fit.slope())) {
            Color c = Palettes.OKABE_ITO[0];
            int steps = 60;
            if (Double.isFinite(fit.tCritical())) {
                Path2D.Double band = new Path2D.Double();
                for (int k = 0; k <= steps; k++) {
                    double x = xr[0] + (xr[1] - xr[0]) * k / steps;
                    double yy = fit.predict(x) + fit.bandHalfWidth(x);
                    if (k == 0) band.moveTo(axes.px(x), axes.py(yy));
                    else band.lineTo(axes.px(x), axes.py(yy));
                }
                for (int k = steps; k >= 0; k--) {
                    double x = xr[0] + (xr[1] - xr[0]) * k / steps;
                    band.lineTo(axes.px(x), axes.py(fit.predict(x) - fit.bandHalfWidth(x)));
                }
                band.closePath();
                g.setColor(new Color(c.getRed(), c.getGreen(), c.getBlue(), 46));
                g.fill(band);
            }
            g.setColor(c);
            g.setStroke(new BasicStroke(1.2f));
            g.draw(new Line2D.Double(axes.px(xr[0]), axes.py(fit.predict(xr[0])), axes.px(xr[1]), axes.py(fit.predict(xr[1]))));
        }
        g.setClip(clip);

        // points, then labels placed around them
        double size = 3.5;
        List<Rectangle2D> taken = new ArrayList<>();
        g.setColor(Plot.AXIS);
        for (int i = 0; i < px.length; i++) {
            if (!Double.isFinite(px[i]) || !Double.isFinite(y[i])) continue;
            double sx = axes.px(px[i]), sy = axes.py(y[i]);
            g.fill(Plot.marker(Palettes.Marker.CIRCLE, sx, sy, size));
            taken.add(new Rectangle2D.Double(sx - size / 2, sy - size / 2, size, size));
        }
        g.setFont(Plot.font(Plot.FONT_SIZE));
        for (int i = 0; i < px.length; i++) {
            if (!Double.isFinite(px[i]) || !Double.isFinite(y[i])) continue;
            String label = spec.labels().get(i);
            Rectangle2D box = placeLabel(g, label, axes.px(px[i]), axes.py(y[i]), size, taken, area);
            taken.add(box);
            Plot.text(g, label, box.getX(), box.getCenterY(), 0);
        }
        axes.drawFrame(g);

        // the fit in words, top left inside the frame
        if (Double.isFinite(fit.r())) {
            String s = String.format(Locale.ROOT, "r = %.2f, n = %d", fit.r(), fit.n());
            g.setColor(Plot.AXIS);
            Plot.text(g, s, area.getMinX() + 4, area.getMinY() + Plot.FONT_SIZE * 0.8, 0);
        }
    }

    /** Eight candidate spots around the point (right, left, above, below, diagonals): the first free one. */
    private static Rectangle2D placeLabel(Graphics2D g, String label, double x, double y, double pointSize,
                                          List<Rectangle2D> taken, Rectangle2D area) {
        double w = Plot.textWidth(g, label), h = Plot.FONT_SIZE * 0.9, gap = pointSize / 2 + 1;
        double[][] offsets = {
                {gap, -h / 2}, {-gap - w, -h / 2}, {-w / 2, -gap - h}, {-w / 2, gap},
                {gap * 0.8, -gap * 0.8 - h}, {-gap * 0.8 - w, -gap * 0.8 - h}, {gap * 0.8, gap * 0.8}, {-gap * 0.8 - w, gap * 0.8}};
        Rectangle2D best = null;
        double bestOverlap = Double.POSITIVE_INFINITY;
        for (double[] o : offsets) {
            Rectangle2D r = new Rectangle2D.Double(x + o[0], y + o[1], w, h);
            double overlap = 0;
            for (Rectangle2D t : taken) {
                Rectangle2D inter = r.createIntersection(t);
                if (!inter.isEmpty()) overlap += inter.getWidth() * inter.getHeight();
            }
            if (!area.contains(r)) overlap += w * h; // outside the frame counts like a full overlap
            if (overlap == 0) return r;
            if (overlap < bestOverlap) {
                bestOverlap = overlap;
                best = r;
            }
        }
        return best;
    }

    /** Ticks at 1, 2, 5 × 10^k (only the powers of ten when that gives more than 7 ticks), labelled in x units. */
    private static void drawLogXAxis(Graphics2D g, Plot.Axes axes, String label) {
        Rectangle2D area = axes.area();
        List<Double> ticks = new ArrayList<>();
        int kLo = (int) Math.floor(axes.xMin()), kHi = (int) Math.ceil(axes.xMax());
        for (int k = kLo; k <= kHi; k++) {
            for (double m : new double[] {1, 2, 5}) {
                double t = k + Math.log10(m);
                if (t >= axes.xMin() && t <= axes.xMax()) ticks.add(t);
            }
        }
        if (ticks.size() > 7) ticks.removeIf(t -> Math.abs(t - Math.rint(t)) > 1e-9);
        g.setFont(Plot.font(Plot.FONT_SIZE));
        for (double t : ticks) {
            double x = axes.px(t);
            g.setColor(Plot.GRID);
            g.setStroke(new BasicStroke(0.5f));
            g.draw(new Line2D.Double(x, area.getMinY(), x, area.getMaxY()));
            g.setColor(Plot.AXIS);
            g.draw(new Line2D.Double(x, area.getMaxY(), x, area.getMaxY() + Plot.TICK_LENGTH));
            double value = Math.pow(10, t);
            String s = value >= 1e6 || value < 1e-3 ? String.format(Locale.ROOT, "%.0e", value)
                    : value >= 1 ? String.format(Locale.ROOT, "%.0f", value) : String.format(Locale.ROOT, "%s", (float) value);
            Plot.text(g, s, x, area.getMaxY() + Plot.TICK_LENGTH + 2 + Plot.FONT_SIZE / 2, 0.5);
        }
        if (label != null) Plot.text(g, label, area.getCenterX(), area.getMaxY() + Plot.TICK_LENGTH + 4 + Plot.FONT_SIZE * 1.6, 0.5);
    }
}
