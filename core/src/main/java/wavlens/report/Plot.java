package wavlens.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.GraphicsEnvironment;
import java.awt.Graphics2D;
import java.awt.Shape;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Drawing pieces the figures share: fonts, text placement, "nice" axis ticks, a data-to-page
 * mapping with frame, ticks and labels, marker shapes and a legend. All sizes are in points.
 */
final class Plot {
    private Plot() {}

    /** Smallest font size anywhere in a figure: 9 pt stays readable at column width. */
    static final float FONT_SIZE = 9f;
    static final float TICK_LENGTH = 3f;
    static final Color AXIS = new Color(0x333333);
    static final Color GRID = new Color(0xE6E6E6);

    /** The font family: DejaVu Sans (Debian fonts-dejavu-core) when the JVM finds it, else the logical sans-serif. */
    static final String FAMILY = pickFamily();

    private static String pickFamily() {
        System.setProperty("java.awt.headless", "true");
        String[] names = GraphicsEnvironment.getLocalGraphicsEnvironment().getAvailableFontFamilyNames(Locale.ROOT);
        for (String n : names) if (n.equals("DejaVu Sans")) return n;
        return Font.SANS_SERIF;
    }

    static Font font(float size) {
        return new Font(FAMILY, Font.PLAIN, 10).deriveFont(size);
    }

    static Font bold(float size) {
        return new Font(FAMILY, Font.BOLD, 10).deriveFont(size);
    }

    static double textWidth(Graphics2D g, String s) {
        return g.getFontMetrics().getStringBounds(s, g).getWidth();
    }

    /** Draws s with its horizontal anchor at x (0 left, 0.5 centre, 1 right) and its vertical centre at y. */
    static void text(Graphics2D g, String s, double x, double y, double hAnchor) {
        FontMetrics fm = g.getFontMetrics();
        double w = fm.getStringBounds(s, g).getWidth();
        double baseline = y + (fm.getAscent() - fm.getDescent()) / 2.0;
        g.drawString(s, (float) (x - hAnchor * w), (float) baseline);
    }

    /** Text rotated 90° counter-clockwise, centred at (x, y): the y-axis label. */
    static void verticalText(Graphics2D g, String s, double x, double y) {
        AffineTransform saved = g.getTransform();
        g.translate(x, y);
        g.rotate(-Math.PI / 2);
        text(g, s, 0, 0, 0.5);
        g.setTransform(saved);
    }

    /**
     * Tick values covering [min, max] at a "nice" step of 1, 2 or 5 × 10^k chosen so there are at
     * most maxTicks ticks (Heckbert 1990, "Nice numbers for graph labels", Graphics Gems).
     */
    static double[] niceTicks(double min, double max, int maxTicks) {
        if (!(max > min)) return new double[] {min};
        double rawStep = (max - min) / Math.max(1, maxTicks - 1);
        double magnitude = Math.pow(10, Math.floor(Math.log10(rawStep)));
        double step = magnitude * 10;
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * magnitude >= rawStep * (1 - 1e-9)) {
                step = m * magnitude;
                break;
            }
        }
        double first = Math.ceil(min / step - 1e-9) * step;
        List<Double> ticks = new ArrayList<>();
        for (double t = first; t <= max + step * 1e-9; t += step) ticks.add(Math.abs(t) < step * 1e-9 ? 0.0 : t);
        double[] out = new double[ticks.size()];
        for (int i = 0; i < out.length; i++) out[i] = ticks.get(i);
        return out;
    }

    /** Tick label with just enough decimals for the step (0.25 → "0.25", 10 → "10"). */
    static String tickLabel(double value, double step) {
        int decimals = Math.max(0, (int) Math.ceil(-Math.log10(step) - 1e-9));
        return String.format(Locale.ROOT, "%." + decimals + "f", value);
    }

    /** Data range [lo, hi] of the finite values of some arrays (NaN, NaN when there are none). */
    static double[] range(double[]... arrays) {
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (double[] a : arrays) {
            if (a == null) continue;
            for (double v : a) {
                if (!Double.isFinite(v)) continue;
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        return lo <= hi ? new double[] {lo, hi} : new double[] {Double.NaN, Double.NaN};
    }

    /** Range padded by a fraction on each side; a single value becomes value ± 0.5 (or ± 5%). */
    static double[] pad(double lo, double hi, double fraction) {
        if (!(hi > lo)) {
            double half = lo == 0 || !Double.isFinite(lo) ? 0.5 : Math.abs(lo) * 0.05;
            if (!Double.isFinite(lo)) lo = 0;
            return new double[] {lo - half, lo + half};
        }
        double p = (hi - lo) * fraction;
        return new double[] {lo - p, hi + p};
    }

    /** A rectangle of the page showing data [xMin, xMax] × [yMin, yMax]. */
    record Axes(Rectangle2D area, double xMin, double xMax, double yMin, double yMax) {
        double px(double x) {
            return area.getMinX() + (x - xMin) / (xMax - xMin) * area.getWidth();
        }

        double py(double y) {
            return area.getMaxY() - (y - yMin) / (yMax - yMin) * area.getHeight();
        }

        /** Frame, light horizontal grid lines, numeric y ticks, and the axis labels. */
        void drawYAxis(Graphics2D g, String label, int maxTicks) {
            double[] ticks = niceTicks(yMin, yMax, maxTicks);
            double step = ticks.length > 1 ? ticks[1] - ticks[0] : 1;
            g.setFont(font(FONT_SIZE));
            double widest = 0;
            for (double t : ticks) {
                double y = py(t);
                g.setColor(GRID);
                g.setStroke(new BasicStroke(0.5f));
                g.draw(new Line2D.Double(area.getMinX(), y, area.getMaxX(), y));
                g.setColor(AXIS);
                g.draw(new Line2D.Double(area.getMinX() - TICK_LENGTH, y, area.getMinX(), y));
                String s = tickLabel(t, step);
                widest = Math.max(widest, textWidth(g, s));
                text(g, s, area.getMinX() - TICK_LENGTH - 2, y, 1);
            }
            if (label != null) verticalText(g, label, area.getMinX() - TICK_LENGTH - 4 - widest - FONT_SIZE * 0.7, area.getCenterY());
        }

        /** Numeric x ticks below the frame and the axis label under them. */
        void drawXAxis(Graphics2D g, String label, int maxTicks) {
            double[] ticks = niceTicks(xMin, xMax, maxTicks);
            double step = ticks.length > 1 ? ticks[1] - ticks[0] : 1;
            g.setFont(font(FONT_SIZE));
            for (double t : ticks) {
                double x = px(t);
                g.setColor(GRID);
                g.setStroke(new BasicStroke(0.5f));
                g.draw(new Line2D.Double(x, area.getMinY(), x, area.getMaxY()));
                g.setColor(AXIS);
                g.draw(new Line2D.Double(x, area.getMaxY(), x, area.getMaxY() + TICK_LENGTH));
                text(g, tickLabel(t, step), x, area.getMaxY() + TICK_LENGTH + 2 + FONT_SIZE / 2, 0.5);
            }
            if (label != null) text(g, label, area.getCenterX(), area.getMaxY() + TICK_LENGTH + 4 + FONT_SIZE * 1.6, 0.5);
        }

        void drawFrame(Graphics2D g) {
            g.setColor(AXIS);
            g.setStroke(new BasicStroke(0.6f));
            g.draw(area);
        }
    }

    /** A marker of the given size (diameter in points) centred at (x, y). */
    static Shape marker(Palettes.Marker m, double x, double y, double size) {
        double r = size / 2;
        switch (m) {
            case CIRCLE:
                return new Ellipse2D.Double(x - r, y - r, size, size);
            case SQUARE: {
                double s = r * 0.89; // same area as the circle
                return new Rectangle2D.Double(x - s, y - s, 2 * s, 2 * s);
            }
            case DIAMOND: {
                double s = r * 1.25;
                return polygon(x, y - s, x + s, y, x, y + s, x - s, y);
            }
            case TRIANGLE_UP: {
                double s = r * 1.35;
                return polygon(x, y - s, x + s * 0.87, y + s * 0.5, x - s * 0.87, y + s * 0.5);
            }
            case TRIANGLE_DOWN: {
                double s = r * 1.35;
                return polygon(x, y + s, x + s * 0.87, y - s * 0.5, x - s * 0.87, y - s * 0.5);
            }
            default:
                throw new IllegalArgumentException(m.toString());
        }
    }

    private static Shape polygon(double... xy) {
        Path2D.Double p = new Path2D.Double();
        p.moveTo(xy[0], xy[1]);
        for (int i = 2; i < xy.length; i += 2) p.lineTo(xy[i], xy[i + 1]);
        p.closePath();
        return p;
    }

    /** One legend entry: a marker (and optionally a line sample) in a colour, and its name. */
    record LegendEntry(String name, Color color, Palettes.Marker marker, boolean line, boolean dashed, boolean outlined) {
        static LegendEntry point(String name, Color color, Palettes.Marker marker) {
            return new LegendEntry(name, color, marker, false, false, false);
        }

        static LegendEntry series(String name, Color color, Palettes.Marker marker, boolean dashed) {
            return new LegendEntry(name, color, marker, true, dashed, false);
        }
    }

    static final double LEGEND_ROW_HEIGHT = FONT_SIZE * 1.35;

    private static double sampleWidth(List<LegendEntry> entries) {
        return entries.stream().anyMatch(LegendEntry::line) ? 18 : 9;
    }

    /** Width of one entry: sample, gap, name, space before the next entry. */
    private static double entryWidth(Graphics2D g, List<LegendEntry> entries, LegendEntry e) {
        return sampleWidth(entries) + 3 + textWidth(g, e.name()) + 9;
    }

    /** Rows needed when the entries flow left to right and wrap at the given width. */
    static int legendRows(Graphics2D g, List<LegendEntry> entries, double width) {
        g.setFont(font(FONT_SIZE));
        int rows = entries.isEmpty() ? 0 : 1;
        double x = 0;
        for (LegendEntry e : entries) {
            double w = entryWidth(g, entries, e);
            if (x > 0 && x + w > width) {
                rows++;
                x = 0;
            }
            x += w;
        }
        return rows;
    }

    /**
     * Draws the legend entries flowing left to right, wrapping at width, after an optional title;
     * returns its height. (legendRows gives the same row count for width minus the title.)
     */
    static double drawLegend(Graphics2D g, List<LegendEntry> entries, double x, double y, double width, String title) {
        g.setFont(font(FONT_SIZE));
        if (title != null) {
            g.setColor(AXIS);
            text(g, title, x, y + LEGEND_ROW_HEIGHT / 2, 0);
            double titleWidth = textWidth(g, title) + 8;
            x += titleWidth;
            width -= titleWidth;
        }
        double sampleWidth = sampleWidth(entries);
        double ex = 0;
        int row = 0;
        for (LegendEntry e : entries) {
            double w = entryWidth(g, entries, e);
            if (ex > 0 && ex + w > width) {
                row++;
                ex = 0;
            }
            double left = x + ex, ey = y + row * LEGEND_ROW_HEIGHT + LEGEND_ROW_HEIGHT / 2;
            g.setColor(e.color());
            if (e.line()) {
                g.setStroke(lineStroke(1.3f, e.dashed()));
                g.draw(new Line2D.Double(left, ey, left + sampleWidth, ey));
            }
            if (e.marker() != null) {
                Shape m = marker(e.marker(), left + sampleWidth / 2, ey, 5.5);
                if (e.line() && e.dashed()) { // dashed series have hollow markers (see LineChart)
                    g.setColor(Color.WHITE);
                    g.fill(m);
                    g.setColor(e.color());
                    g.setStroke(new BasicStroke(0.9f));
                    g.draw(m);
                } else {
                    g.fill(m);
                }
                if (e.outlined()) {
                    g.setColor(Color.BLACK);
                    g.setStroke(new BasicStroke(0.8f));
                    g.draw(m);
                }
            }
            g.setColor(AXIS);
            text(g, e.name(), left + sampleWidth + 3, ey, 0);
            ex += w;
        }
        return entries.isEmpty() ? 0 : (row + 1) * LEGEND_ROW_HEIGHT;
    }

    static BasicStroke lineStroke(float width, boolean dashed) {
        return dashed ? new BasicStroke(width, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[] {4f, 2.5f}, 0f)
                : new BasicStroke(width, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND);
    }
}
