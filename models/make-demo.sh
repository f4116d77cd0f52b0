#!/usr/bin/env bash
# Rebuilds the shipped demo models from nothing but wavlens: the corpus, pretraining, fine-tuning,
# the letter-frequency experiment and the random-initialisation baseline. Deterministic for the
# seeds below on the same wavlens version (see models/README.md for the times and results).
# Usage: models/make-demo.sh [WORK_DIR]   (default /tmp/wavlens-demo-train; needs ~18 GB of memory for stages 5-17 and ~21 GB for stages 18-19 and ~22 GB for stage 20 (their training audio is held in memory), ~20 GB of disk and hours on 2 cores; openssl, and apt-get download for the training text;
#   the MBROLA voices of stages 8, 9, 12, 14, 17, 18 and 20 from Debian contrib/non-free, see stage 8)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="${1:-/tmp/wavlens-demo-train}"
# fine-tuning holds its training audio in memory: stages 14-16 read 75 h of it (8.6 GB as 16-bit samples; 10 GB of heap in use while training),
# stage 17 82 h, stage 18 89 h, stage 19 97 h (with -Xmx19g; 13.2 GB of the old generation in use), stage 20 104 h (-Xmx20g)
export WAVLENS_JAVA_OPTS="${WAVLENS_JAVA_OPTS:--Xmx19g}"
w() { "$here/wavlens" "$@"; }
mkdir -p "$work"

# 1. the corpus: seed 1 — the seed `wavlens demo` uses too, so its dev and test splits hold sentences and voices the models never heard
[ -f "$work/corpus/corpus.json" ] || w corpus synth --out "$work/corpus" --utterances 8000 --seed 1

# 2. pretraining from scratch on the pretraining split (no transcripts used). 32 codevectors per group and
#    short masks: with the wav2vec 2.0 defaults (320, 0.65 × 10 frames) this tiny model on 16-second batches
#    settles on indistinguishable targets (contrastive loss ln 101) and learns nothing (models/README.md)
w pretrain --shape tiny --corpus "$work/corpus/pretraining" --out "$work/pt" \
  --steps 3000 --batch-seconds 16 --lr 3e-4 --warmup 0.05 --hold 0.5 --codevectors 32 --mask-time-prob 0.3 --mask-time-length 2 \
  --seed 1 --save-every 250 --dtype f16

# the baseline the pretrained model is measured against: the same shape, randomly initialised
w pretrain --shape tiny --corpus "$work/corpus/pretraining" --out "$work/random" --steps 0 --codevectors 32 --seed 1

# 3. CTC fine-tuning on the finetune-train and pretraining splits (268 sentences; finetune-train alone has
#    only 100, and the model then learns those sentences rather than letters: dev CER 30.1 % vs 24.8 %);
#    dev CER on the dev split, whose voices and sentences neither split has
w finetune --pretrained "$work/pt" --train "$work/corpus/finetune-train" --train "$work/corpus/pretraining" --dev "$work/corpus/dev" \
  --out "$work/ft1" --steps 4800 --batch-seconds 16 --lr 3e-4 --warmup 0.05 --hold 0.45 --seed 1 --eval-every 600 --save-every 600 --dtype f16
#    then on from that model (its CTC head kept) with the feature encoder trained too: 24.8 % -> 20.4 %
w finetune --pretrained "$work/ft1" --train "$work/corpus/finetune-train" --train "$work/corpus/pretraining" --dev "$work/corpus/dev" \
  --out "$work/ft2" --train-feature-encoder --steps 1200 --batch-seconds 16 --lr 1e-4 --warmup 0.1 --hold 0.4 --seed 2 \
  --eval-every 400 --save-every 400 --dtype f16
#    and on again with speed perturbation (0.9/1.0/1.1: pitch and formants move, a stand-in for more voices): 20.4 % -> 17.0 %
w finetune --pretrained "$work/ft2" --train "$work/corpus/finetune-train" --train "$work/corpus/pretraining" --dev "$work/corpus/dev" \
  --out "$work/ft3" --train-feature-encoder --speed-perturb 0.9,1.0,1.1 --steps 2400 --batch-seconds 16 --lr 1e-4 --warmup 0.05 \
  --hold 0.45 --seed 3 --eval-every 600 --save-every 600 --dtype f16

#    More voices and more text, the limits stages 1-3 ran into (models/README.md). Three more corpora, seed 1 like the
#    first: their dev and test splits hold the same voices and sentences as corpus/, and their training splits speak
#    with 59 voices instead of 24 (--more-voices); two of them also speak other sentences (--training-text):
#    7447 five-word strings of Finnish dictionary headwords (FreeDict Finnish-English, Debian dict-freedict-fin-eng
#    2022.12.07-2, CC-BY-SA 3.0) in a seeded order, and 5842 sentences of the Finnish LibreOffice help (Debian
#    libreoffice-help-fi 4:7.4.7-1+deb12u14, MPL-2.0) collected by `wavlens corpus sentences`. Other versions of
#    these packages give other text, and so other models.
text="$work/text"; mkdir -p "$text"
if [ ! -f "$text/words-fi.txt" ] || [ ! -f "$text/help-fi.txt" ]; then
  (cd "$text" && apt-get download dict-freedict-fin-eng libreoffice-help-fi) || { echo "needs the Debian packages dict-freedict-fin-eng and libreoffice-help-fi (apt-get download)" >&2; exit 2; }
  for deb in "$text"/*.deb; do dpkg-deb -x "$deb" "$text/x"; done
  seeded() { openssl enc -aes-256-ctr -pass pass:"$1" -nosalt -pbkdf2 </dev/zero 2>/dev/null; }
  cut -f1 "$text/x/usr/share/dictd/freedict-fin-eng.index" | grep -xE '[a-zåäöšž]{2,}' | LC_ALL=C sort -u \
    | shuf --random-source=<(seeded wavlens) | awk '{w[NR%5]=$0; if (NR%5==0) print w[1]" "w[2]" "w[3]" "w[4]" "w[0]"."}' > "$text/words-fi.txt"
  w corpus sentences --out "$text/help-fi.txt" "$text/x/usr/share/libreoffice/help/fi/text"
fi
[ -f "$work/corpus-mv/corpus.json" ] || w corpus synth --out "$work/corpus-mv" --utterances 16000 --seed 1 --more-voices
[ -f "$work/corpus-words/corpus.json" ] || w corpus synth --out "$work/corpus-words" --utterances 16000 --seed 1 --more-voices --training-text "$text/words-fi.txt"
[ -f "$work/corpus-help/corpus.json" ] || w corpus synth --out "$work/corpus-help" --utterances 16000 --seed 1 --more-voices --training-text "$text/help-fi.txt"
#    and one whose training splits only Festival mv speaks (the one voice made from recorded speech), reading both texts
[ -f "$text/both-fi.txt" ] || cat "$text/help-fi.txt" "$text/words-fi.txt" > "$text/both-fi.txt"
[ -f "$work/corpus-fest/corpus.json" ] || w corpus synth --out "$work/corpus-fest" --utterances 12000 --seed 1 --more-voices --training-text "$text/both-fi.txt" --training-voices festival-mv
#    stage 4: on from stage 3 with the word strings and the voices, a 4000-step schedule paused after 1765 steps (the
#    shipped model was made by stopping this run there; its checkpoint folder is a model folder): 17.0 % -> 13.7 % (step 1500)
w finetune --pretrained "$work/ft3" --train "$work/corpus-words/pretraining" --train "$work/corpus-words/finetune-train" \
  --train "$work/corpus-mv/pretraining" --train "$work/corpus-mv/finetune-train" --dev "$work/corpus/dev" --out "$work/ft4" \
  --train-feature-encoder --speed-perturb 0.9,1.0,1.1 --steps 4000 --batch-seconds 16 --lr 1e-4 --warmup 0.05 --hold 0.45 --seed 5 \
  --eval-every 500 --save-every 500 --dtype f16 --stop-after 1765
#    stage 5: all three corpora, the help sentences too: 13.7 % -> 11.3 % (test split 13.5 %)
w finetune --pretrained "$work/ft4/checkpoint" --train "$work/corpus-help/pretraining" --train "$work/corpus-help/finetune-train" \
  --train "$work/corpus-words/pretraining" --train "$work/corpus-words/finetune-train" \
  --train "$work/corpus-mv/pretraining" --train "$work/corpus-mv/finetune-train" --dev "$work/corpus/dev" --out "$work/ft5" \
  --train-feature-encoder --speed-perturb 0.9,1.0,1.1 --steps 3500 --batch-seconds 16 --lr 1e-4 --warmup 0.05 --hold 0.3 --seed 6 \
  --eval-every 500 --save-every 500 --dtype f16
#    stage 6: from stage 5 on corpus-fest (Festival mv reading both texts) with corpus-help and corpus-words, speeds up to
#    1.3 (formants up to 30 % higher): 11.3 % -> 10.6 % (test split 13.5 % -> 12.6 %)
w finetune --pretrained "$work/ft5" --train "$work/corpus-fest/pretraining" --train "$work/corpus-fest/finetune-train" \
  --train "$work/corpus-help/pretraining" --train "$work/corpus-help/finetune-train" \
  --train "$work/corpus-words/pretraining" --train "$work/corpus-words/finetune-train" --dev "$work/corpus/dev" --out "$work/ft6" \
  --train-feature-encoder --speed-perturb 0.9,1.0,1.1,1.2,1.3 --steps 3000 --batch-seconds 16 --lr 1e-4 --warmup 0.05 --hold 0.3 \
  --seed 8 --eval-every 500 --save-every 500 --dtype f16
#    stage 7: a corpus whose training splits add 150 espeak-ng voices of random formant, pitch and voicing settings
#    (formants moving independently: vowel spaces no speed change gives), reading both texts; with corpus-fest and
#    corpus-help: 10.6 % -> 8.1 % (test split 12.6 % -> 10.9 %)
[ -f "$work/corpus-rand/corpus.json" ] || w corpus synth --out "$work/corpus-rand" --utterances 16000 --seed 1 --more-voices --random-voices 150 --training-text "$text/both-fi.txt"
w finetune --pretrained "$work/ft6" --train "$work/corpus-rand/pretraining" --train "$work/corpus-rand/finetune-train" \
  --train "$work/corpus-fest/pretraining" --train "$work/corpus-fest/finetune-train" \
  --train "$work/corpus-help/pretraining" --train "$work/corpus-help/finetune-train" --dev "$work/corpus/dev" --out "$work/ft7" \
  --train-feature-encoder --speed-perturb 0.9,1.0,1.1,1.2,1.3 --steps 3000 --batch-seconds 16 --lr 1e-4 --warmup 0.05 --hold 0.3 \
  --seed 10 --eval-every 500 --save-every 500 --dtype f16
#    stage 8: recorded speech. Nine MBROLA voices (Estonian, Hungarian, Swedish, German; 5 women, 4 men) speak espeak-ng's
#    Finnish phones (`--mbrola`; Debian contrib/non-free packages mbrola mbrola-ee1 mbrola-hu1 mbrola-sw1 mbrola-sw2
#    mbrola-de1 mbrola-de2 mbrola-de3 mbrola-de4 mbrola-de5), reading both texts; with corpus-rand, corpus-fest and
#    corpus-help: 8.1 % -> 7.5 % (test split 10.9 % -> 10.0 %, Festival lj 46.2 % -> 40.0 %). (The shipped stage read a
#    corpus-mbrola made before MBROLA's audio was padded to espeak-ng's length: 9 of its utterances ended in a zero-length
#    pause, which the reader left out.)
mb=mbrola-ee1,mbrola-hu1,mbrola-sw1,mbrola-sw2,mbrola-de1,mbrola-de2,mbrola-de3,mbrola-de4,mbrola-de5
[ -f "$work/corpus-mbrola/corpus.json" ] || w corpus synth --out "$work/corpus-mbrola" --utterances 15000 --seed 1 --no-festival --mbrola \
  --training-voices "$mb" --training-text "$text/both-fi.txt"
w finetune --pretrained "$work/ft7" --train "$work/corpus-mbrola/pretraining" --train "$work/corpus-mbrola/finetune-train" \
  --train "$work/corpus-rand/pretraining" --train "$work/corpus-rand/finetune-train" \
  --train "$work/corpus-fest/pretraining" --train "$work/corpus-fest/finetune-train" \
  --train "$work/corpus-help/pretraining" --train "$work/corpus-help/finetune-train" --dev "$work/corpus/dev" --out "$work/ft8" \
  --train-feature-encoder --speed-perturb 0.9,1.0,1.1,1.2,1.3 --steps 3000 --batch-seconds 16 --lr 1e-4 --warmup 0.05 --hold 0.3 \
  --seed 12 --eval-every 500 --save-every 500 --dtype f16
#    stage 9: four more MBROLA voices (German de6 man, de7 woman, Dutch nl2 man, nl3 woman; packages mbrola-de6
#    mbrola-de7 mbrola-nl2 mbrola-nl3) in a corpus of their own, with the data of stage 8:
#    7.5 % -> 7.3 % (test split 10.0 % -> 9.5 %, Festival lj 40.0 % -> 37.0 %)
mb2=mbrola-de6,mbrola-de7,mbrola-nl2,mbrola-nl3
[ -f "$work/corpus-mbrola2/corpus.json" ] || w corpus synth --out "$work/corpus-mbrola2" --utterances 9000 --seed 1 --no-festival --mbrola \
  --training-voices "$mb2" --training-text "$text/both-fi.txt"
# stage 9's training data, read by stages 10 and 11 too
data9=(--train "$work/corpus-mbrola2/pretraining" --train "$work/corpus-mbrola2/finetune-train"
  --train "$work/corpus-mbrola/pretraining" --train "$work/corpus-mbrola/finetune-train"
  --train "$work/corpus-rand/pretraining" --train "$work/corpus-rand/finetune-train"
  --train "$work/corpus-fest/pretraining" --train "$work/corpus-fest/finetune-train"
  --train "$work/corpus-help/pretraining" --train "$work/corpus-help/finetune-train")
w finetune --pretrained "$work/ft8" "${data9[@]}" --dev "$work/corpus/dev" --out "$work/ft9" \
  --train-feature-encoder --speed-perturb 0.9,1.0,1.1,1.2,1.3 --steps 3000 --batch-seconds 16 --lr 1e-4 --warmup 0.05 --hold 0.3 \
  --seed 14 --eval-every 500 --save-every 500 --dtype f16
#    stage 10: stage 9's data again, every utterance coloured by three random peaking filters of up to 12 dB either way
#    (`--eq-perturb 12`): 7.3 % -> 6.3 % (test split 9.5 % -> 8.9 %, Festival lj 37.0 % -> 35.1 %, shelby 10.5 % -> 7.5 %)
w finetune --pretrained "$work/ft9" "${data9[@]}" --dev "$work/corpus/dev" --out "$work/ft10" \
  --train-feature-encoder --speed-perturb 0.9,1.0,1.1,1.2,1.3 --steps 3000 --batch-seconds 16 --lr 1e-4 --warmup 0.05 --hold 0.3 \
  --seed 16 --eq-perturb 12 --eval-every 500 --save-every 500 --dtype f16
#    stage 11: the same again from stage 10 with gains up to 18 dB (`--eq-perturb 18`): 6.3 % -> 6.0 % (test split
#    8.9 % -> 8.4 %, Festival lj 35.1 % -> 32.9 %)
w finetune --pretrained "$work/ft10" "${data9[@]}" --dev "$work/corpus/dev" --out "$work/ft11" \
  --train-feature-encoder --speed-perturb 0.9,1.0,1.1,1.2,1.3 --steps 3000 --batch-seconds 16 --lr 1e-4 --warmup 0.05 --hold 0.3 \
  --seed 17 --eq-perturb 18 --eval-every 500 --save-every 500 --dtype f16
#    stage 12: four more MBROLA women whose languages lack ä, ö and y (Czech cz1, Polish pl1, Italian it4, Portuguese pt1;
#    packages mbrola-cz1 mbrola-pl1 mbrola-it4 mbrola-pt1), each saying only the sentences without those letters (it4 and pt1
#    without h too), in a corpus of their own, added to stage 11's data, as stage 11 otherwise: 6.0 % -> 6.0 % (test split
#    8.4 % -> 8.1 %, Festival lj 32.9 % -> 30.5 %)
mb4=mbrola-cz1,mbrola-pl1,mbrola-it4,mbrola-pt1
[ -f "$work/corpus-mbrola4/corpus.json" ] || w corpus synth --out "$work/corpus-mbrola4" --utterances 9000 --seed 1 --no-festival --mbrola \
  --training-voices "$mb4" --training-text "$text/both-fi.txt"
# stage 12's training data, read by stage 13 too
data12=("${data9[@]}" --train "$work/corpus-mbrola4/pretraining" --train "$work/corpus-mbrola4/finetune-train")
w finetune --pretrained "$work/ft11" "${data12[@]}" --dev "$work/corpus/dev" --out "$work/ft12" \
  --train-feature-encoder --speed-perturb 0.9,1.0,1.1,1.2,1.3 --steps 3000 --batch-seconds 16 --lr 1e-4 --warmup 0.05 --hold 0.3 \
  --seed 19 --eq-perturb 18 --eval-every 500 --save-every 500 --dtype f16
#    stage 13: the same again from stage 12 (seed 20): 6.0 % -> 5.9 % (test split 8.1 % -> 7.9 %, Festival lj 30.5 % -> 30.1 %)
w finetune --pretrained "$work/ft12" "${data12[@]}" --dev "$work/corpus/dev" --out "$work/ft13" \
  --train-feature-encoder --speed-perturb 0.9,1.0,1.1,1.2,1.3 --steps 3000 --batch-seconds 16 --lr 1e-4 --warmup 0.05 --hold 0.3 \
  --seed 20 --eq-perturb 18 --eval-every 500 --save-every 500 --dtype f16
#    stage 14: two more MBROLA women (Breton bz1, who has all eight Finnish vowels, and American English us1, who has no ö
#    or y; packages mbrola-bz1 mbrola-us1) in a corpus of their own, added to stage 13's data, as stage 13 otherwise:
#    5.9 % -> 5.9 % (test split 7.9 % -> 7.8 %, Festival lj 30.1 % -> 28.8 %)
mb5=mbrola-bz1,mbrola-us1
[ -f "$work/corpus-mbrola5/corpus.json" ] || w corpus synth --out "$work/corpus-mbrola5" --utterances 9000 --seed 1 --no-festival --mbrola \
  --training-voices "$mb5" --training-text "$text/both-fi.txt"
# stage 14's training data, read by stages 15 and 16 too
data14=("${data12[@]}" --train "$work/corpus-mbrola5/pretraining" --train "$work/corpus-mbrola5/finetune-train")
w finetune --pretrained "$work/ft13" "${data14[@]}" --dev "$work/corpus/dev" --out "$work/ft14" \
  --train-feature-encoder --speed-perturb 0.9,1.0,1.1,1.2,1.3 --steps 3000 --batch-seconds 16 --lr 1e-4 --warmup 0.05 --hold 0.3 \
  --seed 21 --eq-perturb 18 --eval-every 500 --save-every 500 --dtype f16
#    stage 15: the same again from stage 14 (seed 22): 5.9 % -> 5.7 % (test split 7.8 % -> 7.8 %, Festival lj 28.8 % -> 29.2 %)
w finetune --pretrained "$work/ft14" "${data14[@]}" --dev "$work/corpus/dev" --out "$work/ft15" \
  --train-feature-encoder --speed-perturb 0.9,1.0,1.1,1.2,1.3 --steps 3000 --batch-seconds 16 --lr 1e-4 --warmup 0.05 --hold 0.3 \
  --seed 22 --eq-perturb 18 --eval-every 500 --save-every 500 --dtype f16
#    stage 16: the same again from stage 15 at half the learning rate (lr 5e-5, seed 23): 5.7 % -> 5.6 % (test split
#    7.8 % -> 7.7 %, Festival lj 29.2 % -> 28.6 %)
w finetune --pretrained "$work/ft15" "${data14[@]}" --dev "$work/corpus/dev" --out "$work/ft16" \
  --train-feature-encoder --speed-perturb 0.9,1.0,1.1,1.2,1.3 --steps 3000 --batch-seconds 16 --lr 5e-5 --warmup 0.05 --hold 0.3 \
  --seed 23 --eq-perturb 18 --eval-every 500 --save-every 500 --dtype f16
#    stage 17: three more MBROLA women without ä, ö and y (Italian it2, Hebrew hb2, Malay ma1; packages mbrola-it2 mbrola-hb2
#    mbrola-ma1; it2 without h too) in a corpus of their own, added to stage 16's data, at lr 1e-4 (seed 25): 5.6 % -> 5.7 %
#    (test split 7.7 % -> 7.5 %, Festival lj 28.6 % -> 27.7 %)
mb6=mbrola-it2,mbrola-hb2,mbrola-ma1
[ -f "$work/corpus-mbrola6/corpus.json" ] || w corpus synth --out "$work/corpus-mbrola6" --utterances 9000 --seed 1 --no-festival --mbrola \
  --training-voices "$mb6" --training-text "$text/both-fi.txt"
data17=("${data14[@]}" --train "$work/corpus-mbrola6/pretraining" --train "$work/corpus-mbrola6/finetune-train")
w finetune --pretrained "$work/ft16" "${data17[@]}" --dev "$work/corpus/dev" --out "$work/ft17" \
  --train-feature-encoder --speed-perturb 0.9,1.0,1.1,1.2,1.3 --steps 3000 --batch-seconds 16 --lr 1e-4 --warmup 0.05 --hold 0.3 \
  --seed 25 --eq-perturb 18 --eval-every 500 --save-every 500 --dtype f16
#    stage 18: two more MBROLA women (Turkish tr2, who lacks only ä, and Telugu tl1, who lacks ä, ö, y and f and the
#    diphones of most diphthongs; packages mbrola-tr2 mbrola-tl1) in a corpus of their own, added to stage 17's data, as
#    stage 17 otherwise (seed 26): 5.65 % -> 5.4 % (test split 7.5 % -> 7.3 %, Festival lj 27.7 % -> 27.4 %)
mb7=mbrola-tr2,mbrola-tl1
[ -f "$work/corpus-mbrola7/corpus.json" ] || w corpus synth --out "$work/corpus-mbrola7" --utterances 9000 --seed 1 --no-festival --mbrola \
  --training-voices "$mb7" --training-text "$text/both-fi.txt"
data18=("${data17[@]}" --train "$work/corpus-mbrola7/pretraining" --train "$work/corpus-mbrola7/finetune-train")
w finetune --pretrained "$work/ft17" "${data18[@]}" --dev "$work/corpus/dev" --out "$work/ft18" \
  --train-feature-encoder --speed-perturb 0.9,1.0,1.1,1.2,1.3 --steps 3000 --batch-seconds 16 --lr 1e-4 --warmup 0.05 --hold 0.3 \
  --seed 26 --eq-perturb 18 --eval-every 500 --save-every 500 --dtype f16
#    stage 19: 150 more random espeak-ng voices, each drawn from every setting of a voice file (nine formants' frequency,
#    strength and width, consonant noise, flutter, roughness, intonation, tone, stress lengths, breath, echo), in a corpus of
#    their own, added to stage 18's data (seed 27): 5.4 % -> 5.3 % (test split 7.3 % -> 7.2 %, Festival lj 27.4 % -> 26.7 %)
[ -f "$work/corpus-rand2/corpus.json" ] || w corpus synth --out "$work/corpus-rand2" --utterances 9000 --seed 1 --no-festival \
  --random-voices 150 --random-voice-settings all --training-voices 'espeak-random-all-*' --training-text "$text/both-fi.txt"
data19=("${data18[@]}" --train "$work/corpus-rand2/pretraining" --train "$work/corpus-rand2/finetune-train")
w finetune --pretrained "$work/ft18" "${data19[@]}" --dev "$work/corpus/dev" --out "$work/ft19" \
  --train-feature-encoder --speed-perturb 0.9,1.0,1.1,1.2,1.3 --steps 3000 --batch-seconds 16 --lr 1e-4 --warmup 0.05 --hold 0.3 \
  --seed 27 --eq-perturb 18 --eval-every 500 --save-every 500 --dtype f16
#    stage 20: 3941 more sentences — the Finnish GIMP help, LibreOffice's translated messages (gettext .mo files) and the
#    aptitude manual (Debian gimp-help-fi 2.10.34-2, libreoffice-l10n-fi 4:7.4.7-1+deb12u14 and aptitude-doc-fi
#    0.8.13-5; see each package's copyright file) collected by `wavlens corpus sentences` — spoken by 238 training voices (the 59 espeak-ng and
#    Festival mv voices of --more-voices, the 29 MBROLA voices, 150 random all-settings voices of voice seed 3), added to stage 19's data,
#    2500 steps (seed 28, -Xmx20g): 5.3 % -> 5.2 % (test split 7.22 % -> 7.23 %: alone a tie)
if [ ! -f "$text/l10n-fi.txt" ]; then
  (cd "$text" && apt-get download gimp-help-fi libreoffice-l10n-fi aptitude-doc-fi) \
    || { echo "needs the Debian packages gimp-help-fi, libreoffice-l10n-fi and aptitude-doc-fi (apt-get download)" >&2; exit 2; }
  for deb in "$text"/gimp-help-fi_*.deb "$text"/libreoffice-l10n-fi_*.deb "$text"/aptitude-doc-fi_*.deb; do dpkg-deb -x "$deb" "$text/x3"; done
  w corpus sentences --out "$text/l10n-fi.txt" "$text/x3/usr/share/gimp" "$text/x3/usr/lib/libreoffice" \
    "$text/x3/usr/share/doc/aptitude" "$text/x3/usr/share/doc/aptitude-doc-fi"
fi
[ -f "$work/corpus-text2/corpus.json" ] || w corpus synth --out "$work/corpus-text2" --utterances 9000 --seed 1 --more-voices --mbrola \
  --random-voices 150 --random-voice-settings all --random-voice-seed 3 --training-text "$text/l10n-fi.txt"
data20=("${data19[@]}" --train "$work/corpus-text2/pretraining" --train "$work/corpus-text2/finetune-train")
WAVLENS_JAVA_OPTS=-Xmx20g w finetune --pretrained "$work/ft19" "${data20[@]}" --dev "$work/corpus/dev" --out "$work/ft20" \
  --train-feature-encoder --speed-perturb 0.9,1.0,1.1,1.2,1.3 --steps 2500 --batch-seconds 16 --lr 1e-4 --warmup 0.05 --hold 0.3 \
  --seed 28 --eq-perturb 18 --eval-every 500 --save-every 500 --dtype f16
#    the shipped model: the element-wise mean of stages 19 and 20 (checkpoint averaging): dev 5.15 %, test 7.04 %
#    (Festival lj 26.1 %), better than either stage on both splits; its training log and summary are stage 20's
w average --out "$work/ft" "$work/ft19" "$work/ft20"
cp "$work/ft20/training.json" "$work/ft20/training_log.csv" "$work/ft"/

# 4. the letter-frequency experiment: four models fine-tuned from the pretrained one on subsets of finetune-train
#    whose letter frequencies differ by sentence selection, all tested on the test split
w experiment letter-frequency --pretrained "$work/pt" --corpus "$work/corpus" --out "$work/experiment" \
  --steps 1500 --lr 3e-4 --batch-seconds 16 --eval-every 1500 --seed 1

# 5. the shipped copies: the HF model folders (float16 weights) without the training checkpoints, and the
#    experiment's results without its four models, feature cache and manifests (absolute paths)
for m in pt:demo-pretrained ft:demo-finetuned; do
  src="$work/${m%%:*}"; dst="$here/models/${m##*:}"
  rm -rf "$dst"; mkdir -p "$dst"
  for f in "$src"/*.json "$src"/*.safetensors "$src"/training_log.csv; do cp "$f" "$dst"/; done
done
cp "$work/ft1/training_log.csv" "$here/models/demo-finetuned/training_log_stage1.csv"
cp "$work/ft2/training_log.csv" "$here/models/demo-finetuned/training_log_stage2.csv"
cp "$work/ft3/training_log.csv" "$here/models/demo-finetuned/training_log_stage3.csv"
cp "$work/ft4/training_log.csv" "$here/models/demo-finetuned/training_log_stage4.csv"
cp "$work/ft5/training_log.csv" "$here/models/demo-finetuned/training_log_stage5.csv"
cp "$work/ft6/training_log.csv" "$here/models/demo-finetuned/training_log_stage6.csv"
cp "$work/ft7/training_log.csv" "$here/models/demo-finetuned/training_log_stage7.csv"
cp "$work/ft8/training_log.csv" "$here/models/demo-finetuned/training_log_stage8.csv"
cp "$work/ft9/training_log.csv" "$here/models/demo-finetuned/training_log_stage9.csv"
cp "$work/ft10/training_log.csv" "$here/models/demo-finetuned/training_log_stage10.csv"
cp "$work/ft11/training_log.csv" "$here/models/demo-finetuned/training_log_stage11.csv"
cp "$work/ft12/training_log.csv" "$here/models/demo-finetuned/training_log_stage12.csv"
cp "$work/ft13/training_log.csv" "$here/models/demo-finetuned/training_log_stage13.csv"
cp "$work/ft14/training_log.csv" "$here/models/demo-finetuned/training_log_stage14.csv"
cp "$work/ft15/training_log.csv" "$here/models/demo-finetuned/training_log_stage15.csv"
cp "$work/ft16/training_log.csv" "$here/models/demo-finetuned/training_log_stage16.csv"
cp "$work/ft17/training_log.csv" "$here/models/demo-finetuned/training_log_stage17.csv"
cp "$work/ft18/training_log.csv" "$here/models/demo-finetuned/training_log_stage18.csv"
cp "$work/ft19/training_log.csv" "$here/models/demo-finetuned/training_log_stage19.csv"
dst="$here/models/demo-experiment"
rm -rf "$dst"; mkdir -p "$dst"
cp "$work/experiment"/*.json "$work/experiment"/*.csv "$dst"/
cp -r "$work/experiment/figures" "$work/experiment/evaluation" "$dst"/

# 7. the measurements of models/README.md: greedy CER and WER per voice on the held-out splits, and how the pretrained and
#    the randomly initialised model cluster letters (spherical k-means, k = 27, on each layer; NMI, purity, per-letter purity)
for split in dev test; do w evaluate --model "$here/models/demo-finetuned" --corpus "$work/corpus" --split "$split" --out "$work/evaluate-$split"; done
for m in pt random; do
  w extract --model "$work/$m" --corpus "$work/corpus" --split test --max-frames 300 --exclude-silence --exclude-unknown --out "$work/store-$m"
  for layer in extract 0 1 2 3 4; do
    w kmeans --input "$work/store-$m/frames/layer_$layer.npy" --k 27 --spherical --seed 1 --out "$work/kmeans-$m-$layer"
    w score --labels "$work/store-$m/frames/rows.csv" --clusters "$work/kmeans-$m-$layer/assignments.npy" --per-label > "$work/score-$m-$layer.txt"
  done
done
