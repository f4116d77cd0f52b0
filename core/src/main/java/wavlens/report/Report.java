package wavlens.report;

import java.util.List;

/**
 * What the report page says, filled by the analysis pipeline and turned into index.html by
 * {@link ReportWriter}. All paths are relative to the report folder (e.g. "figures/nmi.png",
 * "tables/nmi.csv"), so the folder can be moved or zipped as a whole.
 *
 * @param title        page title, e.g. "Letters in wav2vec2 layers: pretrained vs fine-tuned (Finnish)"
 * @param summary      one paragraph under the title (may be null), e.g. from {@link Readings}
 * @param parameters   run parameters shown as a table (model names, corpus, frames, k, seed, ...)
 * @param sections     the sections in order
 * @param explorerHref link to the interactive explorer (e.g. "explorer.html"), null if there is none
 */
public record Report(String title, String summary, List<Parameter> parameters, List<Section> sections, String explorerHref) {

    public record Parameter(String name, String value) {}

    /**
     * One section: a heading, a plain-language reading of its numbers (see {@link Readings}),
     * figures and tables.
     *
     * @param id      HTML anchor, e.g. "layers"
     * @param reading one paragraph, plain text (escaped when written)
     */
    public record Section(String id, String heading, String reading, List<Figure> figures, List<Table> tables) {}

    /**
     * A figure as written by {@link FigureFile}: the PNG is shown, the SVG linked.
     *
     * @param png     e.g. "figures/map-letters.png"
     * @param svg     e.g. "figures/map-letters.svg" (null: no vector version)
     * @param caption caption text; the writer numbers figures "Figure 1." … in page order
     * @param alt     text alternative for screen readers
     */
    public record Figure(String png, String svg, String caption, String alt) {}

    /**
     * A table of already formatted cells, with links to the full data files.
     *
     * @param files e.g. [Link("CSV", "tables/layers.csv"), Link("JSON", "tables/layers.json")]
     */
    public record Table(String caption, List<String> header, List<List<String>> rows, List<Link> files) {
        public Table {
            for (List<String> row : rows) {
                if (row.size() != header.size()) throw new IllegalArgumentException("table '" + caption + "': a row has " + row.size() + " cells for " + header.size() + " columns");
            }
        }
    }

    public record Link(String text, String href) {}
}
