package wavlens.corpus;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Label ↔ id for frame labels. Id 0 is always {@link #SILENCE} and id 1 {@link #UNKNOWN}, so
 * they stay distinguishable from real labels and from each other. A growing inventory adds each
 * new label at the end (ids stay stable across utterances labelled with the same inventory); a
 * fixed one maps labels it does not know to {@link #UNKNOWN}.
 */
public final class LabelInventory {
    public static final String SILENCE = "<sil>";
    public static final String UNKNOWN = "<unk>";
    public static final int SILENCE_ID = 0;
    public static final int UNKNOWN_ID = 1;

    private final List<String> labels = new ArrayList<>();
    private final Map<String, Integer> ids = new HashMap<>();
    private final boolean fixed;

    private LabelInventory(boolean fixed) {
        this.fixed = fixed;
        put(SILENCE);
        put(UNKNOWN);
    }

    /** Starts with only the two reserved labels and grows. */
    public static LabelInventory growing() {
        return new LabelInventory(false);
    }

    /** The reserved labels, then these (e.g. a letter table's alphabet); never grows. */
    public static LabelInventory fixed(Collection<String> known) {
        LabelInventory inv = new LabelInventory(true);
        for (String label : known) inv.put(label);
        return inv;
    }

    private int put(String label) {
        Integer id = ids.get(label);
        if (id != null) return id;
        labels.add(label);
        ids.put(label, labels.size() - 1);
        return labels.size() - 1;
    }

    /** The id of a label: added if this inventory grows, {@link #UNKNOWN_ID} if it is fixed and lacks it. */
    public int id(String label) {
        Integer id = ids.get(label);
        if (id != null) return id;
        return fixed ? UNKNOWN_ID : put(label);
    }

    public boolean contains(String label) {
        return ids.containsKey(label);
    }

    public String label(int id) {
        return labels.get(id);
    }

    /** All labels, index = id. */
    public List<String> labels() {
        return List.copyOf(labels);
    }

    public int size() {
        return labels.size();
    }

    public boolean isFixed() {
        return fixed;
    }
}
