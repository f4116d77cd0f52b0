package wavlens.store;

import java.util.ArrayList;
import java.util.List;
import wavlens.corpus.Interval;
import wavlens.corpus.Tier;
import wavlens.corpus.Utterance;
import wavlens.io.UserError;
import wavlens.model.Vocabulary;
import wavlens.model.Wav2Vec2;

/**
 * Frame labels from a fine-tuned CTC model's own per-frame predictions (argmax), for corpora
 * without alignments — the way the original study labelled its frames. The CTC blank is the
 * label "&lt;blank&gt;" (kept, marked as such), the word delimiter "|".
 *
 * <p>The predictions become an interval tier: each run of equal predictions is one interval,
 * bounded halfway between frame centres, so that labelling frames by their centre time gives back
 * exactly the predictions and a run is a segment.
 */
final class PredictionLabels {
    private final Wav2Vec2 model;
    private final Vocabulary vocab;

    PredictionLabels(Wav2Vec2 model) {
        if (!model.hasCtcHead()) {
            throw new UserError(model.directory() + ": labels from predictions need a fine-tuned …ForCTC model (this one has no lm_head)");
        }
        this.model = model;
        this.vocab = Vocabulary.read(model.directory(), model.config());
    }

    Tier tier(Utterance u, float[] input, int sampleRate) {
        Wav2Vec2.Output o = model.forward(input, Wav2Vec2.Request.lastOnly(model.config()));
        int[] ids = Vocabulary.argmax(o.logits(), o.frames(), model.vocabSize());
        int hop = model.config().hopSamples(), rf = model.config().receptiveFieldSamples();
        double sr = sampleRate;
        double duration = input.length / sr;
        List<Interval> items = new ArrayList<>();
        double start = 0;
        for (int t = 0; t < ids.length; t++) {
            boolean last = t == ids.length - 1;
            if (last || ids[t + 1] != ids[t]) {
                // boundary halfway between the centres of frame t and t + 1: (t·hop + rf/2 + hop/2) / sr
                double end = last ? duration : (t * (double) hop + rf / 2.0 + hop / 2.0) / sr;
                items.add(new Interval(start, end, Extractor.tokenName(vocab, ids[t])));
                start = end;
            }
        }
        return new Tier("predicted", false, 0, duration, items);
    }
}
