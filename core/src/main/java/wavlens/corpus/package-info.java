/**
 * Speech corpora, their time alignments, and per-frame labels for wav2vec2-family models.
 *
 * <pre>{@code
 * Corpus corpus = Corpus.open(dir);                   // MFA folder, Kaldi data folder, manifest.tsv, Common Voice,
 *                                                     // LibriSpeech, MLS, FLEURS, Hugging Face Parquet or audiofolder
 * float[] x = u.readAudio().samples();                // one utterance's audio: a file, a wav.scp pipe, a Parquet cell
 * corpus.problems();                                  // every unusable file, with the reason
 * FrameLabeler labeler = new FrameLabeler(ConvGeometry.fromConfig(configJson), 16000,
 *         LabelInventory.growing(), FrameLabeler.Options.defaults());
 * for (Utterance u : corpus.utterances()) {
 *     if (u.alignment() == null) continue;            // no alignment, or an unusable one (see problems)
 *     Tier phones = u.alignment().tier("phones");     // UserError listing the tiers if missing
 *     FrameLabels labels = labeler.label(phones, u.sampleCount(16000));
 * }
 * }</pre>
 *
 * Decisions, each documented where it is implemented:
 * <ul>
 * <li>Alignment validation ({@link wavlens.corpus.TextGrid}): syntax errors, items outside their
 *     tier, overlapping or unsorted intervals reject the file; gaps become silence and are
 *     reported; zero-length intervals are left out and reported; an alignment reaching more than
 *     10 ms past its audio is not used ({@link wavlens.corpus.Alignment#mismatchWithAudio}).
 *     Nothing is dropped without a {@link wavlens.corpus.Problem}.
 * <li>Frame time ({@link wavlens.corpus.ConvGeometry}): frame t covers samples
 *     [t·hop, t·hop + rf) and stands for its centre (t·hop + rf/2)/sr; hop and rf are computed
 *     from the conv kernels and strides.
 * <li>Frame labels ({@link wavlens.corpus.FrameLabeler}): the label at the frame centre (half-open
 *     intervals, a boundary belongs to the later one), plus the share of the frame covered by its
 *     majority label; silence and unknown are the reserved labels &lt;sil&gt; (id 0) and &lt;unk&gt;
 *     (id 1), excludable (id -1).
 * <li>Letters ({@link wavlens.corpus.LetterTable}): an explicit, replaceable table file; characters
 *     that are not letters are dropped and counted, never silently.
 * </ul>
 */
package wavlens.corpus;
