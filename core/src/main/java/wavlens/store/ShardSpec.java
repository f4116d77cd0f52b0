package wavlens.store;

import java.io.Serializable;
import java.util.List;

/**
 * One shard of a sharded extraction, as the driver hands it to a worker: the corpus positions of
 * its utterances (a contiguous run of the planned order) and the global label statistics, so that
 * the worker labels with the same ids and samples with the same keep probabilities as a
 * single-machine run. Serializable: Spark ships it in the task closure.
 */
public record ShardSpec(int[] corpusIndices, List<String> inventory, long[] frameCounts, long[] segmentCounts, double audioSeconds)
        implements Serializable {
    public ShardSpec {
        inventory = List.copyOf(inventory);
    }
}
