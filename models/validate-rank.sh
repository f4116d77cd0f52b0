#!/usr/bin/env bash
# Checks `wavlens rank` against reality (README "Choosing a pretrained model"): three candidates of clearly
# different quality — demo:finetuned (the shipped CTC model, which keeps its own head), demo:pretrained (3000
# pretraining steps, a new CTC head) and the same shape randomly initialised (`pretrain --steps 0`) — each
# fine-tuned the same way (same data, steps, schedule and seed), measured with `wavlens evaluate` on the test
# split, and set against what `wavlens rank --validate` predicted from the candidates' clusters alone.
# Usage: models/validate-rank.sh [DEMO_OUT] [WORK_DIR]
#   DEMO_OUT: the folder `./wavlens demo` wrote (default demo-out: its corpus/ and report/tables/fit.json are read)
#   WORK_DIR: models, evaluations and the rank cache (default /tmp/wavlens-validate-rank; ~0.2 GB)
# Every step is skipped when its output exists and training resumes, so an interrupted run goes on where it stopped.
# The fine-tuning is short (30 steps × 8 s of audio, ~2 min per model on 2 idle cores; it ran at 1 step a minute on the
# machine shared by eight where it was made): far from what a useful model needs (models/make-demo.sh); README says what it showed.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
demo="${1:-demo-out}"
work="${2:-/tmp/wavlens-validate-rank}"
w() { "${WAVLENS:-$here/wavlens}" "$@"; }
corpus="$demo/corpus"
mkdir -p "$work"

[ -f "$work/pt-random/config.json" ] || w pretrain --shape tiny --corpus "$corpus/pretraining" --out "$work/pt-random" --steps 0 --codevectors 32 --seed 1

# the same fine-tuning for each: finetune-train + pretraining splits of the demo corpus, an 80-step schedule stopped after
# step 30 (--stop-after; an interrupted run resumes and stops there too), the model at step 30 (OUT/checkpoint) evaluated
for c in demo:finetuned:ft-finetuned demo:pretrained:ft-demo "$work/pt-random:ft-random"; do
  model="${c%:*}"; name="${c##*:}"; out="$work/$name"
  step=0; [ -f "$out/checkpoint/state.json" ] && step=$(grep -o '"step" : [0-9]*' "$out/checkpoint/state.json" | grep -o '[0-9]*$' | head -1)
  [ "$step" -ge 30 ] || w finetune --pretrained "$model" --train "$corpus/finetune-train" --train "$corpus/pretraining" \
    --dev "$corpus/dev" --out "$out" --steps 80 --batch-seconds 8 --lr 3e-4 --warmup 0.05 --hold 0.45 --seed 1 \
    --eval-every 80 --save-every 20 --dtype f16 --stop-after $((30 - step)) || [ -f "$out/checkpoint/state.json" ]
  [ -f "$work/eval-$name/letter_accuracy.csv" ] || w evaluate --model "$out/checkpoint" --corpus "$corpus" --split test --out "$work/eval-$name"
done

# predicted (from the candidates' clusters, the demo's fit and the target's letters) against measured. The candidates'
# statistics are measured on the test split (40 utterances) rather than the fit's whole corpus: ten times less audio to
# run through each candidate, which this machine needed (rank warns that the split differs from the fit's)
w rank --fit "$demo/report/tables/fit.json" --corpus "$corpus" --split test --target-corpus "$corpus" --cache "$work/cache" \
  --candidate demo:finetuned --candidate demo:pretrained --candidate "$work/pt-random" \
  --validate "$work/eval-ft-finetuned" --validate "$work/eval-ft-demo" --validate "$work/eval-ft-random" \
  --out "$work/validation.json"
