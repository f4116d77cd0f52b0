package wavlens.corpus.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Phone → letter mapping on hand-written phone sequences (as the synthesizers emit them). */
class LetterAlignerTest {

    /** "letters<-phones" per chunk, e.g. "x<-k s", "<-;" for a chunk without letters. */
    private static List<String> chunks(LetterAligner aligner, String phones, String word) {
        List<String> ph = Arrays.asList(phones.split(" "));
        List<String> letters = FinnishText.words(word).getFirst().letters();
        List<LetterAligner.Chunk> chunks = aligner.align(ph, letters);
        if (chunks == null) return null;
        List<String> out = new ArrayList<>();
        for (LetterAligner.Chunk c : chunks) {
            out.add(String.join("", letters.subList(c.letterStart(), c.letterEnd())) + "<-" + String.join(" ", ph.subList(c.phoneStart(), c.phoneEnd())));
        }
        return out;
    }

    @Test
    void espeakRareLetters() {
        LetterAligner e = LetterAligner.ESPEAK;
        assertEquals(List.of("m<-m", "a<-a", "x<-k s"), chunks(e, "m a k s", "Max"));
        assertEquals(List.of("p<-p", "i<-i", "zz<-t s", "aa<-a"), chunks(e, "p i t s a", "pizzaa"));
        assertEquals(List.of("z<-t s", "e<-e", "pp<-p", "e<-e", "l<-l", "ii<-i", "n<-n", "i<-I"), chunks(e, "t s e p e l i n I", "zeppeliini"));
        assertEquals(List.of("k<-k", "e<-e", "n<-N", "g<-N", "ä<-&", "t<-t"), chunks(e, "k e N N & t", "kengät"));
        assertEquals(List.of("k<-k", "e<-e", "n<-N", "k<-k", "ä<-&"), chunks(e, "k e N k &", "kenkä"));
        assertEquals(List.of("c<-s", "e<-e", "c<-s", "i<-I", "l<-l", "i<-i", "<-;", "a<-a"), chunks(e, "s e s I l i ; a", "Cecilia"));
        assertEquals(List.of("r<-r", "e<-e", "b<-b", "e<-e", "cc<-k", "a<-a"), chunks(e, "r e b e k a", "Rebecca"));
        assertEquals(List.of("l<-l", "i<-i", "n<-n", "d<-d", "q<-q", "v<-v", "i<-I", "s<-s", "t<-t"), chunks(e, "l i n d q v I s t", "Lindqvist"));
        assertEquals(List.of("w<-v", "a<-a", "tt<-t", "i<-I"), chunks(e, "v a t I", "watti"));
        assertEquals(List.of("h<-h", "å<-o", "k<-k", "a<-a", "n<-n"), chunks(e, "h o k a n", "Håkan"));
        assertEquals(List.of("t<-t", "š<-S", "e<-e", "kk<-k", "i<-I"), chunks(e, "t S e k I", "Tšekki"));
        assertEquals(List.of("b<-b", "u<-u", "d<-d", "ž<-Z", "e<-e", "tt<-t", "i<-I"), chunks(e, "b u d Z e t I", "budžetti"));
        assertEquals(List.of("l<-l", "a<-a", "s<-s", "i<-I", "s<-s", "s<-s2", "a<-a"), chunks(e, "l a s I s s2 a", "lasissa"));
        assertEquals(List.of("h<-h", "ää<-&", "yö<-yY"), chunks(e, "h & yY", "hääyö"));
        assertEquals(List.of("g<-g", "o<-o", "l<-l", "f<-f"), chunks(e, "g o l f", "golf"));
        // Word-final n spoken as m before a labial ("on museoita").
        assertEquals(List.of("o<-o", "n<-m"), chunks(e, "o m", "on"));
    }

    @Test
    void festivalRareLetters() {
        LetterAligner f = LetterAligner.FESTIVAL;
        assertEquals(List.of("k<-k", "e<-e", "ng<-N:", "ä<-@", "t<-t"), chunks(f, "k e N: @ t", "kengät"));
        assertEquals(List.of("j<-j", "a<-a", "z<-t s", "z<-t s"), chunks(f, "j a t s t s", "jazz"));
        assertEquals(List.of("l<-l", "i<-i", "n<-n", "d<-d", "q<-k v", "v<-v", "i<-i", "s<-s", "t<-t"), chunks(f, "l i n d k v v i s t", "Lindqvist"));
        assertEquals(List.of("qu<-k v", "e<-e", "b<-b", "e<-e", "c<-k", "i<-i", "ss<-s:", "a<-a"), chunks(f, "k v e b e k i s: a", "Quebecissa"));
        assertEquals(List.of("h<-h", "ää<-@:", "y<-y", "ö<-7"), chunks(f, "h @: y 7", "hääyö"));
        assertEquals(List.of("f<-f", "e<-e", "l<-l", "i<-i", "x<-k s"), chunks(f, "f e l i k s", "Felix"));
        assertEquals(List.of("l<-l", "a<-a", "i<-i", "v<-v", "a<-a", "nm<-m:", "oo<-o:", "tt<-t:", "o<-o", "r<-r", "e<-e", "i<-i", "t<-t", "a<-a"),
                chunks(f, "l a i v a m: o: t: o r e i t a", "laivanmoottoreita"));
    }

    @Test
    void phonesThatDoNotSpellTheWordAreRejected() {
        assertNull(chunks(LetterAligner.ESPEAK, "k a", "kissa"));
        assertNull(chunks(LetterAligner.ESPEAK, "k i s s2 a", "kala"));
        assertNull(chunks(LetterAligner.FESTIVAL, "k a l: a", "kala"));
    }
}
