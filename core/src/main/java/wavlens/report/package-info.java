/**
 * Figures, the report page and the interactive explorer: given numbers in, publication output out.
 *
 * <h2>Figures</h2>
 * Each figure type is a record {@code Spec} (with {@code of(...)} defaults and {@code with...}
 * variants) and a static {@code write(dir, name, spec)} that writes NAME.png (300 dpi) and
 * NAME.svg from the same Java2D drawing ({@link wavlens.report.FigureFile}; SVG through JFreeSVG).
 * Sizes are in points: 252 pt is one journal column, 504 pt a page width; no text is smaller than
 * 9 pt. Fonts: DejaVu Sans (Debian package fonts-dejavu-core).
 * <ul>
 * <li>{@link wavlens.report.MapGrid}: 2-D maps per layer × model with a shared legend and
 *     outlined "mistake" points.</li>
 * <li>{@link wavlens.report.HeatMap}: matrices (P(letter | cluster), CKA, confusions) in viridis
 *     with a colour bar; {@link wavlens.report.Seriation} orders rows and columns.</li>
 * <li>{@link wavlens.report.LineChart}: per-layer curves with bands or error bars.</li>
 * <li>{@link wavlens.report.ScatterFit}: per-letter points with labels, least-squares line and
 *     95% confidence band ({@link wavlens.report.LinearFit}).</li>
 * </ul>
 * Colours: {@link wavlens.report.Palettes} (Okabe–Ito, a Glasbey-style colour-blind-aware list
 * with marker shapes for many categories, viridis).
 *
 * <h2>Report</h2>
 * The pipeline fills a {@link wavlens.report.Report} (sections with a reading, figures, tables)
 * and calls {@link wavlens.report.ReportWriter#write}; {@link wavlens.report.Readings} turns the
 * numbers into the plain-language paragraphs.
 *
 * <h2>Explorer</h2>
 * {@link wavlens.report.ExplorerWriter#write} puts explorer.html and explorer-data.js (format in
 * {@link wavlens.report.ExplorerData}) beside index.html. {@link wavlens.report.ReportServer}
 * ({@code wavlens serve}) serves the folder on 127.0.0.1 for browsers that block file:// audio.
 */
package wavlens.report;
