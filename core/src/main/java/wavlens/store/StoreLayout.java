package wavlens.store;

import java.nio.file.Path;

/**
 * The files of a feature store (plain files numpy and pandas read):
 *
 * <pre>
 * STORE/store.json              parameters, model, layers, label inventory, counts, "complete"
 * STORE/utterances.csv          one row per utterance: utt, audio, start, end, speaker, gender, age, split,
 *                               frames, transcript, hypothesis (CTC models), status, label_ids (every
 *                               frame's label id, space-separated), predicted_ids (every frame's argmax, CTC)
 * STORE/problems.csv            file, reason — everything that was skipped and why
 * STORE/frames/rows.csv         one row per stored frame: row, utt, frame, time, label, label_id,
 *                               majority_fraction, speaker, gender, age, split, predicted (CTC)
 * STORE/frames/layer_&lt;i&gt;.npy   rows × hidden (i as in HF hidden_states; "extract" = extract_features)
 * STORE/segments/rows.csv       one row per aligned segment: row, utt, segment, start, end, label, label_id,
 *                               frames, speaker, gender, age, split
 * STORE/segments/layer_&lt;i&gt;.npy mean of the segment's frames
 * STORE/parts/&lt;n&gt;/…            per-utterance shards while extracting (removed when complete)
 * </pre>
 */
public record StoreLayout(Path root) {
    public Path storeJson() { return root.resolve("store.json"); }
    public Path utterancesCsv() { return root.resolve("utterances.csv"); }
    public Path problemsCsv() { return root.resolve("problems.csv"); }
    public Path framesDir() { return root.resolve("frames"); }
    public Path segmentsDir() { return root.resolve("segments"); }
    public Path partsDir() { return root.resolve("parts"); }

    public Path part(int index) { return partsDir().resolve(String.format("%06d", index)); }

    /** layer_&lt;i&gt;.npy, or layer_extract.npy for the feature encoder's extract_features (i = -1). */
    public static String layerFile(int layer) {
        return layer < 0 ? "layer_extract.npy" : "layer_" + layer + ".npy";
    }
}
