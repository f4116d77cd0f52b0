package wavlens.model;

import java.util.Arrays;
import wavlens.io.UserError;

/** Which of HF's hidden_states to keep: "all" or a comma list like "0,3,12" (negative counts from the end). */
public final class LayerSpec {
    private LayerSpec() {}

    public static boolean[] parse(String spec, int numLayers) {
        boolean[] keep = new boolean[numLayers + 1];
        if (spec == null || spec.equals("all")) {
            Arrays.fill(keep, true);
            return keep;
        }
        for (String part : spec.split(",")) {
            int i;
            try {
                i = Integer.parseInt(part.strip());
            } catch (NumberFormatException e) {
                throw new UserError("--layers: \"" + part + "\" is not a layer index (use all or e.g. 0,3,12)");
            }
            if (i < 0) i += numLayers + 1;
            if (i < 0 || i > numLayers) throw new UserError("--layers: index " + part.strip() + " is outside 0.." + numLayers + " for this model");
            keep[i] = true;
        }
        return keep;
    }
}
