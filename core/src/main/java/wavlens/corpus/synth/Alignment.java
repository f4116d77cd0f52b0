package wavlens.corpus.synth;

import java.util.ArrayList;
import java.util.List;

/**
 * The word, phone and letter intervals of one synthesized sentence, in seconds of the
 * synthesizer's output. Only spoken stretches are listed; silence is what lies between them
 * ({@link #contiguous} fills it in for a TextGrid).
 */
public record Alignment(List<Interval> words, List<Interval> phones, List<Interval> letters) {

    /**
     * Aligns a synthesizer's phones with the transcript's letters word by word. Where one phone
     * (or a rule's phone group) covers several letters, its time is split evenly over them; a
     * phone with no letter (espeak's glide) lends its time to the letter before it.
     */
    public static Alignment of(String transcript, Synthesis synthesis, LetterAligner aligner) throws UnusableUtterance {
        List<FinnishText.Word> words = FinnishText.words(transcript);
        List<List<Synthesis.Phone>> phonesOfWord = groupByWord(words, synthesis.phones(), aligner);
        joinBoundaryGeminates(words, phonesOfWord, aligner);
        double rate = synthesis.sampleRate();

        List<Interval> wordTier = new ArrayList<>(), phoneTier = new ArrayList<>(), letterTier = new ArrayList<>();
        for (int w = 0; w < words.size(); w++) {
            FinnishText.Word word = words.get(w);
            List<Synthesis.Phone> wordPhones = phonesOfWord.get(w);
            List<LetterAligner.Chunk> chunks = aligner.align(names(wordPhones), word.letters());
            if (chunks == null) {
                throw new UnusableUtterance(aligner.name() + ": phones " + names(wordPhones) + " do not spell '" + word.text() + "'");
            }

            // Time span of each chunk; a chunk with no letters hands its span to a neighbour.
            int n = chunks.size();
            double[] start = new double[n], end = new double[n];
            for (int c = 0; c < n; c++) {
                start[c] = wordPhones.get(chunks.get(c).phoneStart()).start();
                end[c] = wordPhones.get(chunks.get(c).phoneEnd() - 1).end();
            }
            for (int c = 0; c < n; c++) {
                LetterAligner.Chunk chunk = chunks.get(c);
                if (chunk.letterEnd() > chunk.letterStart()) continue;
                int neighbour = previousWithLetters(chunks, c);
                if (neighbour >= 0) end[neighbour] = Math.max(end[neighbour], end[c]);
                else {
                    neighbour = nextWithLetters(chunks, c);
                    if (neighbour < 0) throw new UnusableUtterance(aligner.name() + ": word '" + word.text() + "' has no lettered phone");
                    start[neighbour] = Math.min(start[neighbour], start[c]);
                }
            }
            for (int c = 0; c < n; c++) {
                LetterAligner.Chunk chunk = chunks.get(c);
                int count = chunk.letterEnd() - chunk.letterStart();
                double step = (end[c] - start[c]) / count;
                for (int k = 0; k < count; k++) {
                    double a = start[c] + k * step;
                    double b = k == count - 1 ? end[c] : start[c] + (k + 1) * step;
                    letterTier.add(new Interval(a / rate, b / rate, word.letters().get(chunk.letterStart() + k)));
                }
            }
            for (Synthesis.Phone ph : wordPhones) phoneTier.add(new Interval(ph.start() / rate, ph.end() / rate, ph.name()));
            wordTier.add(new Interval(wordPhones.getFirst().start() / rate, wordPhones.getLast().end() / rate, word.text()));
        }
        return new Alignment(wordTier, phoneTier, letterTier);
    }

    /** The phones of each word, in order; every word must have phones and every phone a word. */
    private static List<List<Synthesis.Phone>> groupByWord(List<FinnishText.Word> words, List<Synthesis.Phone> phones, LetterAligner aligner)
            throws UnusableUtterance {
        List<List<Synthesis.Phone>> groups = new ArrayList<>();
        int p = 0;
        for (int w = 0; w < words.size(); w++) {
            int first = p;
            while (p < phones.size() && phones.get(p).word() == w) p++;
            if (p == first) {
                String got = p < phones.size() ? "next phone belongs to word " + phones.get(p).word() : "no more phones";
                throw new UnusableUtterance(aligner.name() + ": no phones for word " + (w + 1) + " '" + words.get(w).text() + "' (" + got + ")");
            }
            groups.add(new ArrayList<>(phones.subList(first, p)));
        }
        if (p != phones.size()) {
            throw new UnusableUtterance(aligner.name() + ": " + (phones.size() - p) + " phones left after the last word (word index " + phones.get(p).word() + ")");
        }
        return groups;
    }

    /**
     * Finnish boundary gemination: after some word forms the next word's first consonant is
     * doubled ("pihalle suuren" → pihallessuuren), and espeak-ng files the first half under the
     * earlier word. When a word only spells out without its last phone, and that phone is the same
     * as the next word's first phone and directly touches it, the two are joined into one long
     * phone of the next word.
     */
    private static void joinBoundaryGeminates(List<FinnishText.Word> words, List<List<Synthesis.Phone>> phonesOfWord, LetterAligner aligner) {
        for (int w = 0; w + 1 < words.size(); w++) {
            List<Synthesis.Phone> here = phonesOfWord.get(w), next = phonesOfWord.get(w + 1);
            if (here.size() < 2 || aligner.align(names(here), words.get(w).letters()) != null) continue;
            Synthesis.Phone extra = here.getLast(), nextFirst = next.getFirst();
            if (!extra.name().equals(nextFirst.name()) || extra.end() != nextFirst.start()) continue;
            if (aligner.align(names(here.subList(0, here.size() - 1)), words.get(w).letters()) == null) continue;
            here.removeLast();
            next.set(0, new Synthesis.Phone(nextFirst.name(), w + 1, extra.start(), nextFirst.end()));
        }
    }

    private static List<String> names(List<Synthesis.Phone> phones) {
        List<String> names = new ArrayList<>(phones.size());
        for (Synthesis.Phone ph : phones) names.add(ph.name());
        return names;
    }

    private static int previousWithLetters(List<LetterAligner.Chunk> chunks, int c) {
        for (int k = c - 1; k >= 0; k--) if (chunks.get(k).letterEnd() > chunks.get(k).letterStart()) return k;
        return -1;
    }

    private static int nextWithLetters(List<LetterAligner.Chunk> chunks, int c) {
        for (int k = c + 1; k < chunks.size(); k++) if (chunks.get(k).letterEnd() > chunks.get(k).letterStart()) return k;
        return -1;
    }

    /** Every time divided by {@code factor} (a speed-up by factor makes everything 1/factor as long). */
    public Alignment divideTimes(double factor) {
        return new Alignment(divide(words, factor), divide(phones, factor), divide(letters, factor));
    }

    private static List<Interval> divide(List<Interval> tier, double factor) {
        List<Interval> out = new ArrayList<>(tier.size());
        for (Interval iv : tier) out.add(new Interval(iv.start() / factor, iv.end() / factor, iv.label()));
        return out;
    }

    /**
     * The tier as a TextGrid needs it: intervals contiguous from 0 to {@code duration}, silence
     * as empty intervals. Boundaries past the end (the resampled audio can be up to half a sample
     * shorter than the synthesizer's) are clamped to it; a labelled interval that would become
     * empty or overlap its predecessor is an error.
     */
    public static List<Interval> contiguous(List<Interval> spoken, double duration) throws UnusableUtterance {
        List<Interval> out = new ArrayList<>();
        double t = 0;
        for (Interval iv : spoken) {
            double start = Math.min(iv.start(), duration), end = Math.min(iv.end(), duration);
            if (start < t - 1e-9) throw new UnusableUtterance(String.format("'%s' starts at %.6f s before the previous interval ends (%.6f s)", iv.label(), start, t));
            if (start - t < 1e-9) start = t; // snap rounding-level gaps shut
            if (end - start <= 1e-9) throw new UnusableUtterance(String.format("'%s' at %.6f s has no duration", iv.label(), start));
            if (start > t) out.add(new Interval(t, start, ""));
            out.add(new Interval(start, end, iv.label()));
            t = end;
        }
        if (duration > t) out.add(new Interval(t, duration, ""));
        return out;
    }
}
