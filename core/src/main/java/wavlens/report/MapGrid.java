package wavlens.report;

import java.awt.AlphaComposite;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Composite;
import java.awt.Graphics2D;
import java.awt.Shape;
import java.awt.geom.AffineTransform;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A grid of 2-D maps (PCA / t-SNE / UMAP of frames), one panel per layer and model, points coloured
 * by a category (letter, vowel/consonant, cluster, speaker, ...) with one legend for the grid.
 *
 * <p>Conventions, the same for every panel: the window is square with equal x and y scales,
 * centred on the panel's data and 4% wider than its larger extent (a 2-D projection has no
 * units, so there are no ticks); points are drawn in one fixed pseudo-random order (the same
 * permutation in every panel, so no category is systematically on top and reruns are identical);
 * "highlight" points (e.g. frames the model got wrong) are drawn last, larger, with a black
 * outline; negative categories (unlabelled) are light grey and drawn first. When the grid holds
 * more than {@link #VECTOR_POINT_LIMIT} points, each panel's points are drawn into a 300 dpi
 * image so the SVG stays small (axes and text remain vector).
 */
public final class MapGrid {
    private MapGrid() {}

    /** Above this many points in the whole grid, point layers are raster images (also in the SVG). */
    public static final int VECTOR_POINT_LIMIT = 20_000;

    /** One scatter panel: n points, category[i] indexes the category names (negative: none); highlight may be null. */
    public record Panel(float[] x, float[] y, int[] category, boolean[] highlight) {
        public Panel {
            if (x.length != y.length || x.length != category.length || (highlight != null && highlight.length != x.length)) {
                throw new IllegalArgumentException("panel arrays differ in length: x " + x.length + ", y " + y.length
                        + ", category " + category.length + (highlight == null ? "" : ", highlight " + highlight.length));
            }
        }

        public int size() {
            return x.length;
        }
    }

    /** MODEL_ROWS: each model is a band of rows; MODEL_COLUMN_GROUPS: each model a block of columns, side by side. */
    public enum Layout { MODEL_ROWS, MODEL_COLUMN_GROUPS }

    /**
     * @param models        model names (e.g. "pretrained", "fine-tuned")
     * @param layers        layer names in order (e.g. "CNN", "1", ..., "12")
     * @param panels        panels[model][layer]
     * @param categoryNames names for the category indices
     * @param legendTitle   e.g. "letter" (null for none)
     * @param highlightName legend text for highlighted points (e.g. "misrecognised"), null if none
     * @param layout        see {@link Layout}
     * @param columns       panels per row within one model
     * @param widthPt       figure width in points ({@link FigureFile#PAGE_WIDTH} for a full page)
     * @param pointSizePt   point diameter in points (≈ 1.2 for 10k points per panel)
     * @param alpha         point opacity (≈ 0.6 for 10k points)
     */
    public record Spec(List<String> models, List<String> layers, Panel[][] panels, List<String> categoryNames,
                       String legendTitle, String highlightName, Layout layout, int columns,
                       double widthPt, double pointSizePt, double alpha) {
        public Spec {
            if (panels.length != models.size()) throw new IllegalArgumentException(panels.length + " panel rows for " + models.size() + " models");
            for (Panel[] row : panels) {
                if (row.length != layers.size()) throw new IllegalArgumentException(row.length + " panels for " + layers.size() + " layers");
                for (Panel p : row) {
                    for (int c : p.category()) {
                        if (c >= categoryNames.size()) throw new IllegalArgumentException("category " + c + " but only " + categoryNames.size() + " names");
                    }
                }
            }
            if (columns < 1) throw new IllegalArgumentException("columns must be ≥ 1");
        }

        /** Page-wide grid with defaults: one row per model up to 8 layers, else column groups of ⌈√layers⌉. */
        public static Spec of(List<String> models, List<String> layers, Panel[][] panels, List<String> categoryNames, String legendTitle) {
            int total = 0;
            for (Panel[] row : panels) for (Panel p : row) total = Math.max(total, p.size());
            double pointSize = total > 5000 ? 1.2 : total > 1000 ? 1.8 : 2.6;
            double alpha = total > 5000 ? 0.6 : total > 1000 ? 0.8 : 0.9;
            boolean rows = layers.size() <= 8;
            int columns = rows ? layers.size() : (int) Math.ceil(Math.sqrt(layers.size()));
            return new Spec(models, layers, panels, categoryNames, legendTitle, null,
                    rows ? Layout.MODEL_ROWS : Layout.MODEL_COLUMN_GROUPS, columns, FigureFile.PAGE_WIDTH, pointSize, alpha);
        }

        public Spec withHighlight(String name) {
            return new Spec(models, layers, panels, categoryNames, legendTitle, name, layout, columns, widthPt, pointSizePt, alpha);
        }

        public Spec withLayout(Layout newLayout, int newColumns) {
            return new Spec(models, layers, panels, categoryNames, legendTitle, highlightName, newLayout, newColumns, widthPt, pointSizePt, alpha);
        }

        public Spec withWidth(double newWidthPt) {
            return new Spec(models, layers, panels, categoryNames, legendTitle, highlightName, layout, columns, newWidthPt, pointSizePt, alpha);
        }

        public Spec withPoints(double newPointSizePt, double newAlpha) {
            return new Spec(models, layers, panels, categoryNames, legendTitle, highlightName, layout, columns, widthPt, newPointSizePt, newAlpha);
        }
    }

    /** Writes dir/name.png and dir/name.svg; returns the PNG path. */
    public static Path write(Path dir, String name, Spec spec) {
        Geometry geo = geometry(spec);
        return FigureFile.write(dir, name, spec.widthPt(), geo.height, g -> paint(g, spec, geo));
    }

    /** Figure height for the spec (width is spec.widthPt()). */
    public static double height(Spec spec) {
        return geometry(spec).height;
    }

    public static void paint(Graphics2D g, Spec spec) {
        paint(g, spec, geometry(spec));
    }

    // ---- layout ----------------------------------------------------------------------------------

    private static final double MARGIN = 4, GAP = 3, GROUP_GAP = 10, PANEL_TITLE = Plot.FONT_SIZE * 1.3,
            MODEL_TITLE = Plot.FONT_SIZE * 1.6, LEGEND_GAP = 6;

    /** Where everything goes: panel side, model-title space, grid size, legend rows. */
    private record Geometry(double side, double gridLeft, double gridTop, int rowsPerModel, double legendTop,
                            List<Plot.LegendEntry> legend, double height) {}

    private static Geometry geometry(Spec spec) {
        int models = spec.models().size(), layers = spec.layers().size();
        int rowsPerModel = (layers + spec.columns() - 1) / spec.columns();
        double side, gridLeft, gridTop, gridHeight;
        if (spec.layout() == Layout.MODEL_ROWS) {
            gridLeft = MARGIN + MODEL_TITLE; // model names written vertically at the left
            gridTop = MARGIN;
            side = (spec.widthPt() - gridLeft - MARGIN - (spec.columns() - 1) * GAP) / spec.columns();
            gridHeight = models * rowsPerModel * (side + PANEL_TITLE + GAP) + (models - 1) * (GROUP_GAP - GAP);
        } else {
            gridLeft = MARGIN;
            gridTop = MARGIN + MODEL_TITLE; // model names above their column group
            double usable = spec.widthPt() - 2 * MARGIN - (models - 1) * GROUP_GAP - models * (spec.columns() - 1) * GAP;
            side = usable / (models * spec.columns());
            gridHeight = rowsPerModel * (side + PANEL_TITLE + GAP);
        }
        List<Plot.LegendEntry> legend = legendEntries(spec);
        BufferedImage scratch = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = scratch.createGraphics();
        double legendWidth = spec.widthPt() - 2 * MARGIN - (spec.legendTitle() == null ? 0 : titleWidth(g, spec.legendTitle()));
        int legendRows = Plot.legendRows(g, legend, legendWidth);
        g.dispose();
        double legendTop = gridTop + gridHeight + LEGEND_GAP;
        double height = legendTop + legendRows * Plot.LEGEND_ROW_HEIGHT + MARGIN;
        return new Geometry(side, gridLeft, gridTop, rowsPerModel, legendTop, legend, height);
    }

    private static double titleWidth(Graphics2D g, String title) {
        g.setFont(Plot.font(Plot.FONT_SIZE));
        return Plot.textWidth(g, title) + 8;
    }

    private static List<Plot.LegendEntry> legendEntries(Spec spec) {
        int n = spec.categoryNames().size();
        Color[] colors = Palettes.categorical(n);
        List<Plot.LegendEntry> entries = new ArrayList<>();
        for (int c = 0; c < n; c++) entries.add(Plot.LegendEntry.point(spec.categoryNames().get(c), colors[c], Palettes.marker(c, n)));
        if (spec.highlightName() != null) {
            entries.add(new Plot.LegendEntry(spec.highlightName(), Color.LIGHT_GRAY, Palettes.Marker.CIRCLE, false, false, true));
        }
        return entries;
    }

    /** Top-left corner of the panel for (model, layer). */
    private static double[] panelOrigin(Spec spec, Geometry geo, int model, int layer) {
        int row = layer / spec.columns(), col = layer % spec.columns();
        double cell = geo.side + PANEL_TITLE + GAP;
        if (spec.layout() == Layout.MODEL_ROWS) {
            double top = geo.gridTop + model * (geo.rowsPerModel * cell + GROUP_GAP - GAP) + row * cell;
            return new double[] {geo.gridLeft + col * (geo.side + GAP), top};
        }
        double groupWidth = spec.columns() * geo.side + (spec.columns() - 1) * GAP;
        double left = geo.gridLeft + model * (groupWidth + GROUP_GAP) + col * (geo.side + GAP);
        return new double[] {left, geo.gridTop + row * cell};
    }

    // ---- drawing ---------------------------------------------------------------------------------

    private static void paint(Graphics2D g, Spec spec, Geometry geo) {
        int models = spec.models().size(), layers = spec.layers().size();
        long totalPoints = 0;
        for (Panel[] row : spec.panels()) for (Panel p : row) totalPoints += p.size();
        boolean raster = totalPoints > VECTOR_POINT_LIMIT;
        int categories = spec.categoryNames().size();
        Color[] colors = Palettes.categorical(categories);

        g.setFont(Plot.bold(Plot.FONT_SIZE));
        g.setColor(Plot.AXIS);
        for (int m = 0; m < models; m++) {
            double[] first = panelOrigin(spec, geo, m, 0);
            if (spec.layout() == Layout.MODEL_ROWS) {
                double bandHeight = geo.rowsPerModel * (geo.side + PANEL_TITLE + GAP) - GAP;
                Plot.verticalText(g, spec.models().get(m), MARGIN + MODEL_TITLE / 2, first[1] + bandHeight / 2);
            } else {
                double groupWidth = spec.columns() * geo.side + (spec.columns() - 1) * GAP;
                Plot.text(g, spec.models().get(m), first[0] + groupWidth / 2, MARGIN + MODEL_TITLE / 2, 0.5);
            }
        }

        for (int m = 0; m < models; m++) {
            for (int l = 0; l < layers; l++) {
                double[] origin = panelOrigin(spec, geo, m, l);
                g.setFont(Plot.font(Plot.FONT_SIZE));
                g.setColor(Plot.AXIS);
                Plot.text(g, spec.layers().get(l), origin[0] + geo.side / 2, origin[1] + PANEL_TITLE / 2, 0.5);
                Rectangle2D area = new Rectangle2D.Double(origin[0], origin[1] + PANEL_TITLE, geo.side, geo.side);
                Panel panel = spec.panels()[m][l];
                if (raster) {
                    drawPointsAsImage(g, panel, area, spec, colors, categories);
                } else {
                    Shape clip = g.getClip();
                    g.clip(area);
                    drawPoints(g, panel, area, spec, colors, categories);
                    g.setClip(clip);
                }
                g.setColor(Plot.AXIS);
                g.setStroke(new BasicStroke(0.5f));
                g.draw(area);
            }
        }

        Plot.drawLegend(g, geo.legend, MARGIN, geo.legendTop, spec.widthPt() - 2 * MARGIN, spec.legendTitle());
    }

    /** The point layer rendered at 300 dpi into an image placed over the panel area. */
    private static void drawPointsAsImage(Graphics2D g, Panel panel, Rectangle2D area, Spec spec, Color[] colors, int categories) {
        double scale = FigureFile.DPI / 72.0;
        int w = (int) Math.ceil(area.getWidth() * scale), h = (int) Math.ceil(area.getHeight() * scale);
        BufferedImage layer = new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
        Graphics2D lg = layer.createGraphics();
        FigureFile.quality(lg);
        lg.scale(scale, scale);
        drawPoints(lg, panel, new Rectangle2D.Double(0, 0, area.getWidth(), area.getHeight()), spec, colors, categories);
        lg.dispose();
        AffineTransform place = new AffineTransform();
        place.translate(area.getX(), area.getY());
        place.scale(area.getWidth() / w, area.getHeight() / h);
        g.drawImage(layer, place, null);
    }

    private static void drawPoints(Graphics2D g, Panel panel, Rectangle2D area, Spec spec, Color[] colors, int categories) {
        int n = panel.size();
        if (n == 0) return;
        double[] window = squareWindow(panel);
        double scale = area.getWidth() / window[2];
        double cx = area.getCenterX(), cy = area.getCenterY();
        int[] order = drawOrder(n);
        Composite saved = g.getComposite();
        g.setComposite(AlphaComposite.getInstance(AlphaComposite.SRC_OVER, (float) spec.alpha()));
        double size = spec.pointSizePt();
        // pass 0: unlabelled (grey), pass 1: labelled; highlighted points wait for the last pass
        for (int pass = 0; pass < 2; pass++) {
            for (int k = 0; k < n; k++) {
                int i = order[k];
                int c = panel.category()[i];
                if ((c < 0) != (pass == 0)) continue;
                if (panel.highlight() != null && panel.highlight()[i]) continue;
                g.setColor(c < 0 ? UNLABELLED : colors[c]);
                double px = cx + (panel.x()[i] - window[0]) * scale, py = cy - (panel.y()[i] - window[1]) * scale;
                g.fill(Plot.marker(c < 0 ? Palettes.Marker.CIRCLE : Palettes.marker(c, categories), px, py, size));
            }
        }
        g.setComposite(saved);
        if (panel.highlight() != null) {
            g.setStroke(new BasicStroke((float) Math.max(0.3, size * 0.25)));
            for (int i = 0; i < n; i++) {
                if (!panel.highlight()[i]) continue;
                int c = panel.category()[i];
                double px = cx + (panel.x()[i] - window[0]) * scale, py = cy - (panel.y()[i] - window[1]) * scale;
                Shape s = Plot.marker(c < 0 ? Palettes.Marker.CIRCLE : Palettes.marker(c, categories), px, py, size * 1.8);
                g.setColor(c < 0 ? UNLABELLED : colors[c]);
                g.fill(s);
                g.setColor(Color.BLACK);
                g.draw(s);
            }
        }
    }

    private static final Color UNLABELLED = new Color(0xCCCCCC);

    /** {centre x, centre y, side}: the square around the finite points, 4% wider than their larger extent. */
    static double[] squareWindow(Panel p) {
        double xLo = Double.POSITIVE_INFINITY, xHi = Double.NEGATIVE_INFINITY, yLo = Double.POSITIVE_INFINITY, yHi = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < p.size(); i++) {
            float x = p.x()[i], y = p.y()[i];
            if (!Float.isFinite(x) || !Float.isFinite(y)) continue;
            xLo = Math.min(xLo, x);
            xHi = Math.max(xHi, x);
            yLo = Math.min(yLo, y);
            yHi = Math.max(yHi, y);
        }
        if (xLo > xHi) return new double[] {0, 0, 1};
        double side = Math.max(xHi - xLo, yHi - yLo) * 1.04;
        if (side == 0) side = 1;
        return new double[] {(xLo + xHi) / 2, (yLo + yHi) / 2, side};
    }

    /** A fixed pseudo-random permutation of 0..n-1 (Fisher–Yates driven by SplitMix64, seed 0). */
    static int[] drawOrder(int n) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        long state = 0;
        for (int i = n - 1; i > 0; i--) {
            state += 0x9E3779B97F4A7C15L;
            long z = state;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            z ^= z >>> 31;
            int j = (int) Long.remainderUnsigned(z, i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }
}
