package wavlens.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import wavlens.io.AtomicFiles;
import wavlens.io.UserError;

/**
 * Writes the report folder's index.html: one self-contained page (inline CSS, no scripts, no
 * network) that opens from disk. Figures are referenced by their relative paths; a PNG smaller
 * than inlineBelowBytes is embedded as a data: URL instead so the page still shows it when
 * mailed alone. Every referenced figure must exist (a missing one is reported, not shown broken).
 */
public final class ReportWriter {
    private ReportWriter() {}

    /** Writes dir/index.html with figures referenced, not embedded; returns its path. */
    public static Path write(Path dir, Report report) {
        return write(dir, report, 0);
    }

    public static Path write(Path dir, Report report, long inlineBelowBytes) {
        Path index = dir.resolve("index.html");
        AtomicFiles.writeString(index, html(dir, report, inlineBelowBytes));
        return index;
    }

    static String html(Path dir, Report report, long inlineBelowBytes) {
        StringBuilder h = new StringBuilder(16_384);
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>").append(escape(report.title())).append("</title>\n")
                .append("<link rel=\"icon\" href=\"data:,\">\n") // an empty icon: no favicon.ico request (404 when served)
                .append("<style>\n").append(CSS).append("</style>\n</head>\n<body>\n<main>\n");
        h.append("<h1>").append(escape(report.title())).append("</h1>\n");
        if (report.summary() != null) h.append("<p class=\"summary\">").append(escape(report.summary())).append("</p>\n");
        if (report.explorerHref() != null) {
            h.append("<p class=\"explorer\"><a href=\"").append(attr(report.explorerHref()))
                    .append("\">Open the interactive explorer</a> — pan and zoom every layer's map, hover a frame, click it to hear it.</p>\n");
        }
        if (!report.sections().isEmpty()) {
            h.append("<nav><ol>\n");
            for (Report.Section s : report.sections()) {
                h.append("<li><a href=\"#").append(attr(s.id())).append("\">").append(escape(s.heading())).append("</a></li>\n");
            }
            h.append("</ol></nav>\n");
        }
        if (!report.parameters().isEmpty()) {
            h.append("<section id=\"parameters\">\n<h2>Run parameters</h2>\n<table class=\"parameters\">\n<tbody>\n");
            for (Report.Parameter p : report.parameters()) {
                h.append("<tr><th scope=\"row\">").append(escape(p.name())).append("</th><td>").append(escape(p.value())).append("</td></tr>\n");
            }
            h.append("</tbody>\n</table>\n</section>\n");
        }
        int figureNumber = 0, tableNumber = 0;
        for (Report.Section s : report.sections()) {
            h.append("<section id=\"").append(attr(s.id())).append("\">\n<h2>").append(escape(s.heading())).append("</h2>\n");
            if (s.reading() != null) h.append("<p class=\"reading\">").append(escape(s.reading())).append("</p>\n");
            for (Report.Figure f : s.figures()) {
                figureNumber++;
                h.append("<figure id=\"figure-").append(figureNumber).append("\">\n");
                h.append("<img src=\"").append(attr(imageSource(dir, f.png(), inlineBelowBytes))).append("\" alt=\"")
                        .append(attr(f.alt() == null ? f.caption() : f.alt())).append("\">\n");
                h.append("<figcaption><b>Figure ").append(figureNumber).append(".</b> ").append(escape(f.caption()));
                h.append(" <span class=\"files\">[<a href=\"").append(attr(f.png())).append("\">PNG</a>");
                if (f.svg() != null) {
                    requireFile(dir, f.svg());
                    h.append(", <a href=\"").append(attr(f.svg())).append("\">SVG</a>");
                }
                h.append("]</span></figcaption>\n</figure>\n");
            }
            for (Report.Table t : s.tables()) {
                tableNumber++;
                h.append("<div class=\"table\"><table>\n<caption><b>Table ").append(tableNumber).append(".</b> ").append(escape(t.caption()));
                if (!t.files().isEmpty()) {
                    h.append(" <span class=\"files\">[");
                    for (int i = 0; i < t.files().size(); i++) {
                        Report.Link link = t.files().get(i);
                        if (i > 0) h.append(", ");
                        h.append("<a href=\"").append(attr(link.href())).append("\">").append(escape(link.text())).append("</a>");
                    }
                    h.append("]</span>");
                }
                h.append("</caption>\n<thead><tr>");
                for (String c : t.header()) h.append("<th scope=\"col\">").append(escape(c)).append("</th>");
                h.append("</tr></thead>\n<tbody>\n");
                for (var row : t.rows()) {
                    h.append("<tr>");
                    for (String c : row) h.append(numeric(c) ? "<td class=\"num\">" : "<td>").append(escape(c)).append("</td>");
                    h.append("</tr>\n");
                }
                h.append("</tbody>\n</table></div>\n");
            }
            h.append("</section>\n");
        }
        h.append("</main>\n</body>\n</html>\n");
        return h.toString();
    }

    private static String imageSource(Path dir, String relative, long inlineBelowBytes) {
        Path file = requireFile(dir, relative);
        try {
            if (inlineBelowBytes > 0 && Files.size(file) < inlineBelowBytes && relative.toLowerCase(java.util.Locale.ROOT).endsWith(".png")) {
                return "data:image/png;base64," + Base64.getEncoder().encodeToString(Files.readAllBytes(file));
            }
        } catch (IOException e) {
            throw UserError.inFile(file, "cannot read: " + e.getMessage());
        }
        return relative;
    }

    private static Path requireFile(Path dir, String relative) {
        Path file = dir.resolve(relative);
        if (!Files.isRegularFile(file)) throw UserError.inFile(file, "figure referenced by the report does not exist");
        return file;
    }

    /** Numbers (with sign, %, ±) are right-aligned in tables. */
    private static boolean numeric(String s) {
        return s.matches("[+\\-−±]?[0-9]+([.,][0-9]+)?(e[+\\-]?[0-9]+)?%?");
    }

    /** HTML text escaping. */
    static String escape(String s) {
        if (s == null) return "";
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    private static String attr(String s) {
        return escape(s);
    }

    private static final String CSS = """
            :root { --ink: #222; --muted: #666; --rule: #ddd; --accent: #0072b2; }
            html { font-family: "DejaVu Serif", Georgia, "Times New Roman", serif; color: var(--ink); background: #fff; }
            body { margin: 0; }
            main { max-width: 46rem; margin: 2rem auto 4rem; padding: 0 1.2rem; line-height: 1.5; }
            h1 { font-size: 1.6rem; line-height: 1.25; margin: 0 0 1rem; }
            h2 { font-size: 1.2rem; margin: 2.2rem 0 0.6rem; border-bottom: 1px solid var(--rule); padding-bottom: 0.2rem; }
            a { color: var(--accent); }
            p.summary { font-size: 1.05rem; }
            p.explorer { background: #f3f8fc; border-left: 3px solid var(--accent); padding: 0.5rem 0.8rem; }
            nav ol { columns: 2; margin: 0 0 1rem; padding-left: 1.4rem; font-family: "DejaVu Sans", Arial, sans-serif; font-size: 0.9rem; }
            figure { margin: 1.2rem 0; }
            figure img { max-width: 100%; height: auto; display: block; margin: 0 auto; }
            figcaption, caption { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 0.85rem; color: var(--ink); text-align: left; margin-top: 0.4rem; }
            caption { caption-side: top; margin-bottom: 0.4rem; }
            .files { color: var(--muted); white-space: nowrap; }
            .table { overflow-x: auto; margin: 1rem 0; }
            table { border-collapse: collapse; font-family: "DejaVu Sans", Arial, sans-serif; font-size: 0.85rem; }
            th, td { padding: 0.2rem 0.6rem; border-bottom: 1px solid var(--rule); text-align: left; }
            thead th { border-bottom: 2px solid #999; }
            td.num { text-align: right; font-variant-numeric: tabular-nums; }
            table.parameters th { font-weight: normal; color: var(--muted); }
            @media print { main { max-width: none; } p.explorer, nav { display: none; } }
            """;
}
