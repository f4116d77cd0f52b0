package wavlens.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Line2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A matrix as coloured cells (viridis) with row and column labels and a colour bar: P(letter |
 * cluster), CKA layer × layer, a letter confusion matrix. NaN cells are light grey. Cell values
 * are written into the cells ({@code annotationFormat}) only where the text fits at 9 pt; the
 * text is white on dark cells and black on light ones. Use {@link Seriation} and
 * {@link Spec#permuted} to order rows and columns.
 */
public final class HeatMap {
    private HeatMap() {}

    /**
     * @param values           values[row][column]
     * @param min,max          colour range; NaN = the data's finite min / max
     * @param annotationFormat e.g. "%.2f" to write values into cells, null for none
     * @param widthPt          figure width in points; cells are square
     */
    public record Spec(double[][] values, List<String> rowLabels, List<String> columnLabels, String rowAxisLabel,
                       String columnAxisLabel, String colorBarLabel, double min, double max, String annotationFormat,
                       double widthPt) {
        public Spec {
            if (values.length != rowLabels.size()) throw new IllegalArgumentException(values.length + " rows but " + rowLabels.size() + " row labels");
            for (double[] row : values) {
                if (row.length != columnLabels.size()) throw new IllegalArgumentException("a row has " + row.length + " values but there are " + columnLabels.size() + " column labels");
            }
        }

        public static Spec of(double[][] values, List<String> rowLabels, List<String> columnLabels, String rowAxisLabel,
                              String columnAxisLabel, String colorBarLabel) {
            return new Spec(values, rowLabels, columnLabels, rowAxisLabel, columnAxisLabel, colorBarLabel, Double.NaN, Double.NaN, null, FigureFile.PAGE_WIDTH);
        }

        public Spec withRange(double newMin, double newMax) {
            return new Spec(values, rowLabels, columnLabels, rowAxisLabel, columnAxisLabel, colorBarLabel, newMin, newMax, annotationFormat, widthPt);
        }

        public Spec withAnnotations(String format) {
            return new Spec(values, rowLabels, columnLabels, rowAxisLabel, columnAxisLabel, colorBarLabel, min, max, format, widthPt);
        }

        public Spec withWidth(double newWidthPt) {
            return new Spec(values, rowLabels, columnLabels, rowAxisLabel, columnAxisLabel, colorBarLabel, min, max, annotationFormat, newWidthPt);
        }

        /** Rows in rowOrder and columns in columnOrder (each a permutation), labels moved along. */
        public Spec permuted(int[] rowOrder, int[] columnOrder) {
            double[][] v = new double[rowOrder.length][columnOrder.length];
            List<String> rl = new ArrayList<>(), cl = new ArrayList<>();
            for (int i = 0; i < rowOrder.length; i++) {
                rl.add(rowLabels.get(rowOrder[i]));
                for (int j = 0; j < columnOrder.length; j++) v[i][j] = values[rowOrder[i]][columnOrder[j]];
            }
            for (int j : columnOrder) cl.add(columnLabels.get(j));
            return new Spec(v, rl, cl, rowAxisLabel, columnAxisLabel, colorBarLabel, min, max, annotationFormat, widthPt);
        }

        /** The colour range actually used: [min, max] with NaNs replaced by the data's range. */
        double[] colorRange() {
            double[] r = Plot.range(values);
            double lo = Double.isNaN(min) ? r[0] : min, hi = Double.isNaN(max) ? r[1] : max;
            if (Double.isNaN(lo)) lo = 0;
            if (Double.isNaN(hi)) hi = 1;
            if (!(hi > lo)) hi = lo + 1;
            return new double[] {lo, hi};
        }
    }

    public static Path write(Path dir, String name, Spec spec) {
        Geometry geo = geometry(spec);
        return FigureFile.write(dir, name, spec.widthPt(), geo.height, g -> paint(g, spec, geo));
    }

    public static double height(Spec spec) {
        return geometry(spec).height;
    }

    /** Draws the heat map into g (points; width spec.widthPt(), height {@link #height}). */
    public static void paint(Graphics2D g, Spec spec) {
        paint(g, spec, geometry(spec));
    }

    // ---- layout ----------------------------------------------------------------------------------

    private static final double MARGIN = 4, BAR_WIDTH = 8, BAR_GAP = 8, MIN_BAR_HEIGHT = 60;

    private record Geometry(double left, double top, double cell, boolean verticalColumnLabels, double columnLabelHeight,
                            double barLeft, double height) {}

    private static Geometry geometry(Spec spec) {
        Graphics2D g = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
        g.setFont(Plot.font(Plot.FONT_SIZE));
        double rowLabelWidth = 0, columnLabelWidth = 0;
        for (String s : spec.rowLabels()) rowLabelWidth = Math.max(rowLabelWidth, Plot.textWidth(g, s));
        for (String s : spec.columnLabels()) columnLabelWidth = Math.max(columnLabelWidth, Plot.textWidth(g, s));
        double barTickWidth = 0;
        double[] range = spec.colorRange();
        double[] ticks = Plot.niceTicks(range[0], range[1], 6);
        double step = ticks.length > 1 ? ticks[1] - ticks[0] : 1;
        for (double t : ticks) barTickWidth = Math.max(barTickWidth, Plot.textWidth(g, Plot.tickLabel(t, step)));
        g.dispose();
        double left = MARGIN + (spec.rowAxisLabel() == null ? 0 : Plot.FONT_SIZE * 1.5) + rowLabelWidth + 4;
        double right = BAR_GAP + BAR_WIDTH + Plot.TICK_LENGTH + 2 + barTickWidth + (spec.colorBarLabel() == null ? 0 : Plot.FONT_SIZE * 1.6) + MARGIN;
        int rows = spec.values().length, cols = spec.columnLabels().size();
        double cell = (spec.widthPt() - left - right) / Math.max(1, cols);
        // a very tall matrix gets smaller (still square) cells so the figure stays at most 1.2 widths tall
        double maxHeight = 1.2 * spec.widthPt();
        if (cell * rows > maxHeight) cell = maxHeight / rows;
        boolean vertical = columnLabelWidth > cell - 1;
        double columnLabelHeight = (vertical ? columnLabelWidth : Plot.FONT_SIZE) + 4;
        double top = MARGIN + Plot.FONT_SIZE * 0.5;
        double bottom = top + rows * cell + columnLabelHeight + (spec.columnAxisLabel() == null ? 0 : Plot.FONT_SIZE * 1.6) + MARGIN;
        bottom = Math.max(bottom, top + MIN_BAR_HEIGHT + Plot.FONT_SIZE + MARGIN);
        double barLeft = left + cols * cell + BAR_GAP;
        return new Geometry(left, top, cell, vertical, columnLabelHeight, barLeft, bottom);
    }

    // ---- drawing ---------------------------------------------------------------------------------

    private static void paint(Graphics2D g, Spec spec, Geometry geo) {
        double[][] v = spec.values();
        int rows = v.length, cols = spec.columnLabels().size();
        double[] range = spec.colorRange();
        double cell = geo.cell;
        g.setFont(Plot.font(Plot.FONT_SIZE));
        // cells without anti-aliasing: neighbouring cells then meet without faint seams
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_OFF);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                double value = v[i][j];
                g.setColor(Palettes.viridis((value - range[0]) / (range[1] - range[0])));
                g.fill(new Rectangle2D.Double(geo.left + j * cell, geo.top + i * cell, cell, cell));
            }
        }
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        if (spec.annotationFormat() != null) {
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    double value = v[i][j];
                    if (Double.isNaN(value)) continue;
                    String s = String.format(Locale.ROOT, spec.annotationFormat(), value);
                    if (Plot.textWidth(g, s) > cell - 1 || Plot.FONT_SIZE > cell) continue; // does not fit at 9 pt
                    Color c = Palettes.viridis((value - range[0]) / (range[1] - range[0]));
                    g.setColor(Palettes.luminance(c) < 0.35 ? Color.WHITE : Color.BLACK);
                    Plot.text(g, s, geo.left + (j + 0.5) * cell, geo.top + (i + 0.5) * cell, 0.5);
                }
            }
        }
        g.setColor(Plot.AXIS);
        g.setStroke(new BasicStroke(0.5f));
        g.draw(new Rectangle2D.Double(geo.left, geo.top, cols * cell, rows * cell));

        // row labels right-aligned left of the matrix, column labels below (rotated when they do not fit)
        for (int i = 0; i < rows; i++) Plot.text(g, spec.rowLabels().get(i), geo.left - 3, geo.top + (i + 0.5) * cell, 1);
        double matrixBottom = geo.top + rows * cell;
        for (int j = 0; j < cols; j++) {
            String s = spec.columnLabels().get(j);
            double x = geo.left + (j + 0.5) * cell;
            if (geo.verticalColumnLabels) {
                AffineTransform saved = g.getTransform();
                g.translate(x, matrixBottom + 3);
                g.rotate(-Math.PI / 2);
                Plot.text(g, s, 0, 0, 1);
                g.setTransform(saved);
            } else {
                Plot.text(g, s, x, matrixBottom + 3 + Plot.FONT_SIZE / 2, 0.5);
            }
        }
        if (spec.rowAxisLabel() != null) Plot.verticalText(g, spec.rowAxisLabel(), MARGIN + Plot.FONT_SIZE * 0.6, geo.top + rows * cell / 2);
        if (spec.columnAxisLabel() != null) {
            Plot.text(g, spec.columnAxisLabel(), geo.left + cols * cell / 2, matrixBottom + geo.columnLabelHeight + Plot.FONT_SIZE * 0.8, 0.5);
        }

        // colour bar: as tall as the matrix (at least MIN_BAR_HEIGHT), drawn as thin bands
        double barHeight = Math.max(MIN_BAR_HEIGHT, rows * cell), barTop = geo.top;
        int bands = 128;
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_OFF);
        for (int k = 0; k < bands; k++) {
            double t0 = (double) k / bands;
            g.setColor(Palettes.viridis(t0 + 0.5 / bands));
            g.fill(new Rectangle2D.Double(geo.barLeft, barTop + barHeight * (1 - t0 - 1.0 / bands), BAR_WIDTH, barHeight / bands));
        }
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Plot.AXIS);
        g.draw(new Rectangle2D.Double(geo.barLeft, barTop, BAR_WIDTH, barHeight));
        double[] ticks = Plot.niceTicks(range[0], range[1], 6);
        double step = ticks.length > 1 ? ticks[1] - ticks[0] : 1;
        double widest = 0;
        for (double t : ticks) {
            double y = barTop + barHeight * (1 - (t - range[0]) / (range[1] - range[0]));
            g.draw(new Line2D.Double(geo.barLeft + BAR_WIDTH, y, geo.barLeft + BAR_WIDTH + Plot.TICK_LENGTH, y));
            String s = Plot.tickLabel(t, step);
            widest = Math.max(widest, Plot.textWidth(g, s));
            Plot.text(g, s, geo.barLeft + BAR_WIDTH + Plot.TICK_LENGTH + 2, y, 0);
        }
        if (spec.colorBarLabel() != null) {
            Plot.verticalText(g, spec.colorBarLabel(), geo.barLeft + BAR_WIDTH + Plot.TICK_LENGTH + 4 + widest + Plot.FONT_SIZE * 0.7, barTop + barHeight / 2);
        }
    }
}
