package wavlens.report;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;
import org.jfree.svg.MeetOrSlice;
import org.jfree.svg.PreserveAspectRatio;
import org.jfree.svg.SVGGraphics2D;
import org.jfree.svg.SVGUnits;
import org.jfree.svg.ViewBox;
import wavlens.io.AtomicFiles;

/**
 * Writes one figure as NAME.png and NAME.svg from the same Java2D drawing code. Drawing
 * coordinates are typographic points (1/72 inch), so a 252 pt wide figure is one journal column
 * (3.5 in) and a 9 pt font is 9 pt in print. The PNG is rendered at 300 dpi (scale 300/72) and
 * carries that resolution in its pHYs chunk; the SVG is sized in pt.
 */
public final class FigureFile {
    private FigureFile() {}

    /** Print resolution of the PNG. */
    public static final int DPI = 300;

    /** One journal column and a full page width, in points. */
    public static final double COLUMN_WIDTH = 252, PAGE_WIDTH = 504;

    /** The drawing: g is in points, (0,0) top left, width × height. */
    @FunctionalInterface
    public interface Painter {
        void paint(Graphics2D g);
    }

    static {
        // figures are drawn off-screen; no display is needed (or available on CI)
        System.setProperty("java.awt.headless", "true");
    }

    /** Writes dir/name.png and dir/name.svg (each atomically); returns the PNG path. */
    public static Path write(Path dir, String name, double widthPt, double heightPt, Painter painter) {
        Path png = dir.resolve(name + ".png");
        Path svg = dir.resolve(name + ".svg");
        AtomicFiles.writeBytes(png, png(widthPt, heightPt, painter));
        AtomicFiles.writeString(svg, svg(widthPt, heightPt, painter));
        return png;
    }

    /** The figure rendered at {@link #DPI} as a PNG file's bytes. */
    public static byte[] png(double widthPt, double heightPt, Painter painter) {
        BufferedImage image = render(widthPt, heightPt, DPI / 72.0, painter);
        return encodePng(image, DPI);
    }

    /** The figure as an image at the given scale (pixels per point). */
    public static BufferedImage render(double widthPt, double heightPt, double scale, Painter painter) {
        int w = (int) Math.ceil(widthPt * scale), h = (int) Math.ceil(heightPt * scale);
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            quality(g);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, w, h);
            g.scale(scale, scale);
            painter.paint(g);
        } finally {
            g.dispose();
        }
        return image;
    }

    /** The figure as an SVG document. */
    public static String svg(double widthPt, double heightPt, Painter painter) {
        SVGGraphics2D g = new SVGGraphics2D(widthPt, heightPt, SVGUnits.PT);
        // text stays text (searchable, editable); name fallbacks for viewers without DejaVu
        // (JFreeSVG writes attributes in single quotes, so the family names take double quotes)
        g.setFontFunction(family -> family.startsWith("DejaVu") ? "\"" + family + "\", \"Helvetica Neue\", Arial, sans-serif" : family);
        // coordinates to 1/100 pt: far below what print resolves, and it keeps the files small
        g.setGeomDoubleConverter(FigureFile::hundredths);
        // fixed id prefix for clip paths (the default contains the clock): same input, same bytes
        g.setDefsKeyPrefix("wl");
        quality(g);
        g.setColor(Color.WHITE);
        g.fill(new java.awt.geom.Rectangle2D.Double(0, 0, widthPt, heightPt));
        painter.paint(g);
        // width/height in pt and a viewBox in the same numbers: one user unit is one point
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + g.getSVGElement(null, true, new ViewBox(0, 0, widthPt, heightPt), PreserveAspectRatio.XMID_YMID, MeetOrSlice.MEET) + "\n";
    }

    private static String hundredths(double v) {
        double r = Math.rint(v * 100) / 100;
        return r == Math.rint(r) ? Long.toString((long) r) : Double.toString(r);
    }

    static void quality(Graphics2D g) {
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
        g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    }

    /** PNG bytes with the pHYs chunk set to dpi (pixels per metre = dpi / 0.0254). */
    static byte[] encodePng(BufferedImage image, int dpi) {
        try {
            Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("png");
            ImageWriter writer = writers.next();
            ImageWriteParam param = writer.getDefaultWriteParam();
            IIOMetadata metadata = writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(image), param);
            double mmPerPixel = 25.4 / dpi;
            IIOMetadataNode horizontal = new IIOMetadataNode("HorizontalPixelSize");
            horizontal.setAttribute("value", Double.toString(mmPerPixel));
            IIOMetadataNode vertical = new IIOMetadataNode("VerticalPixelSize");
            vertical.setAttribute("value", Double.toString(mmPerPixel));
            IIOMetadataNode dimension = new IIOMetadataNode("Dimension");
            dimension.appendChild(horizontal);
            dimension.appendChild(vertical);
            IIOMetadataNode root = new IIOMetadataNode("javax_imageio_1.0");
            root.appendChild(dimension);
            metadata.mergeTree("javax_imageio_1.0", root);
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
                writer.setOutput(out);
                writer.write(null, new IIOImage(image, null, metadata), param);
            } finally {
                writer.dispose();
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
