#!/usr/bin/python3
"""Side-by-side training benchmark: one training step of a "tiny" wav2vec2 in PyTorch vs wavlens.

Not part of CI. Needs Debian's python3-torch and python3-torchaudio:
    sudo apt-get install python3-torch python3-torchaudio
Run from the repository root:
    /usr/bin/python3 bench/train_vs_torch.py [--steps 5] [--only ctc|pretrain] [--wavlens-cmd ./wavlens] [--json]

The problem (both sides): the "tiny" shape (7 conv layers x 256 channels, kernels [10,3,3,3,3,2,2],
strides [5,2,2,2,2,2,2], group norm in layer 0, no conv bias, GELU; feature projection LayerNorm +
Linear 256->256; 4 post-LN transformer layers, hidden 256, 4 heads, FF 1024; positional conv K=128 in
16 groups with weight norm), randomly initialised, a batch of 8 utterances x 4 s of seeded Gaussian
noise (8 x 64,000 samples, 199 frames each), 2 threads, no dropout, no layer drop.
One step = forward + loss + backward (feature encoder trained too) + gradient-norm clip (at 1e9, i.e.
only the norm is computed, as `wavlens bench train` does) + AdamW (lr 1e-4, betas 0.9/0.98, eps 1e-8,
no weight decay: wavlens' wav2vec2 settings). 2 warm-up steps, then the median of --steps timed steps.
  - ctc: torchaudio's wav2vec2_model with a 32-letter head (aux_num_out=32), F.ctc_loss on
    log_softmax, 40 random letters (ids 1..31, blank 0) per utterance, reduction sum, zero_infinity.
  - pretrain: the same encoder without the head plus a wav2vec2 pretraining head in plain torch
    (HF Wav2Vec2ForPreTraining semantics): Gumbel product quantizer (2 groups x 320 codevectors,
    codevector_dim 256, weight_proj 256->640 on the LayerNorm-ed conv features, hard gumbel_softmax
    with tau 2), project_hid and project_q 256->256, spans of 10 frames masked with prob 0.65
    (int(0.65*T/10 + rand) spans, at least 2) replaced by a learned masked_spec_embed before the
    transformer, 100 negatives per masked frame drawn among the masked frames of the same utterance,
    contrastive loss (cosine similarity / 0.1, summed over masked frames) + 0.1 x diversity loss
    ((G*V - perplexity) / (G*V) x masked frames). Masks and negative indices are drawn per step
    outside the timed region (in HF they come from the data collator). The codevector lookup is a
    (G,V)x(V,d) product per group, not HF's dense probs x codevectors broadcast (same values, far
    less memory). Contrastive logits are computed for masked frames only (HF computes every frame
    and then ignores the unmasked ones).
PyTorch runs each task in its own child process, so each peak RSS (ru_maxrss, which includes the
~300 MB of the imported torch libraries) is that task's alone; wavlens also runs once per task
(`--only`). If `wavlens bench train` fails or does not exist, the PyTorch numbers are printed alone.

Measured here on 2026-12-04 (2 cores shared with other jobs, load ~1.5 before the run; Debian torch
1.13.0a0, torchaudio 0.13.1; --steps 3, so expect +-15 %):
    task      side       s/step  audio-s/s  peak MB     params
    ctc       pytorch     2.545       12.6     1354  4,810,400
    pretrain  pytorch     3.571        9.0     1762  5,180,416   (encoder 4,802,176; ~98 of 199 frames masked)
"""
import argparse
import json
import subprocess
import sys

# Debian's interpreter, where python3-torch is installed (a pyenv python3 on PATH would not see it)
DEBIAN_PYTHON = "/usr/bin/python3"
BATCH, SECONDS, RATE = 8, 4.0, 16000

TORCH_CHILD = r'''
import json, resource, statistics, sys, time
import torch, torch.nn as nn, torch.nn.functional as F, torchaudio
task, steps, batch, samples = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
torch.set_num_threads(2)
torch.manual_seed(0)
gen = torch.Generator().manual_seed(1)       # masks, negatives, targets
CONV = [(256, 10, 5)] + [(256, 3, 2)] * 4 + [(256, 2, 2)] * 2
model = torchaudio.models.wav2vec2_model(
    extractor_mode="group_norm", extractor_conv_layer_config=CONV, extractor_conv_bias=False,
    encoder_embed_dim=256, encoder_projection_dropout=0.0, encoder_pos_conv_kernel=128, encoder_pos_conv_groups=16,
    encoder_num_layers=4, encoder_num_heads=4, encoder_attention_dropout=0.0, encoder_ff_interm_features=1024,
    encoder_ff_interm_dropout=0.0, encoder_dropout=0.0, encoder_layer_norm_first=False, encoder_layer_drop=0.0,
    aux_num_out=32 if task == "ctc" else None)
frames = samples
for _, k, s in CONV:
    frames = (frames - k) // s + 1
x = torch.randn(batch, samples)
G, V, D, K, TEMP = 2, 320, 256, 100, 0.1


class PretrainHead(nn.Module):
    """wav2vec2 pretraining head (HF Wav2Vec2ForPreTraining): quantizer, projections, mask embedding."""
    def __init__(self, conv_dim=256, hidden=256, proj=256):
        super().__init__()
        self.masked_spec_embed = nn.Parameter(torch.rand(hidden))
        self.weight_proj = nn.Linear(conv_dim, G * V)
        nn.init.normal_(self.weight_proj.weight, 0.0, 1.0)
        nn.init.zeros_(self.weight_proj.bias)
        self.codevectors = nn.Parameter(torch.rand(G, V, D // G))
        self.project_hid = nn.Linear(hidden, proj)
        self.project_q = nn.Linear(D, proj)


def draw_mask_and_negatives():
    """HF _compute_mask_indices (mask_prob 0.65, span 10, min 2 spans) and _sample_negative_indices."""
    T = frames
    mask = torch.zeros(batch, T, dtype=torch.bool)
    for b in range(batch):
        n = max(int(0.65 * T / 10 + torch.rand(1, generator=gen).item()), 2)
        n = min(n, T // 10)
        starts = torch.randperm(T - 9, generator=gen)[:n]
        mask[b, (starts[:, None] + torch.arange(10)).flatten()] = True
    rows, negs = [], []
    for b in range(batch):
        masked = torch.nonzero(mask[b]).flatten() + b * T         # flat indices into batch*T
        m = masked.numel()
        s = torch.randint(0, m - 1, (m, K), generator=gen)         # another masked frame, never itself
        s[s >= torch.arange(m)[:, None]] += 1
        rows.append(masked)
        negs.append(masked[s])
    return mask, torch.cat(rows), torch.cat(negs)


if task == "ctc":
    head = None
    targets = torch.randint(1, 32, (batch, 40), generator=gen)
    target_lengths = torch.full((batch,), 40, dtype=torch.long)
    input_lengths = torch.full((batch,), frames, dtype=torch.long)
    parameters = sum(p.numel() for p in model.parameters())
    params = list(model.parameters())
else:
    head = PretrainHead()
    parameters = sum(p.numel() for p in model.parameters()) + sum(p.numel() for p in head.parameters())
    params = list(model.parameters()) + list(head.parameters())
model.train()
opt = torch.optim.AdamW(params, lr=1e-4, betas=(0.9, 0.98), eps=1e-8, weight_decay=0.0)
masked_counts = []


def ctc_step(_):
    logits, _ = model(x)                                           # (B, T, 32)
    logp = F.log_softmax(logits, dim=-1).transpose(0, 1)           # (T, B, 32)
    return F.ctc_loss(logp, targets, input_lengths, target_lengths, blank=0, reduction="sum", zero_infinity=True)


def pretrain_step(drawn):
    mask, rows, neg = drawn
    feats, _ = model.feature_extractor(x, None)                    # (B, T, 256) conv features
    proj = model.encoder.feature_projection
    normed = proj.layer_norm(feats)
    hidden = proj.projection(normed)                               # dropout is 0
    hidden = torch.where(mask[..., None], head.masked_spec_embed, hidden)
    ctx = model.encoder.transformer(hidden)                        # pos conv, LayerNorm, 4 post-LN layers
    # Gumbel product quantizer on the LayerNorm-ed conv features
    B, T, _ = normed.shape
    lg = head.weight_proj(normed).view(B * T, G, V)
    hard = F.gumbel_softmax(lg, tau=2.0, hard=True, dim=-1)        # (B*T, G, V) one-hot, straight-through
    soft = torch.softmax(lg, dim=-1)
    marginal = soft[mask.flatten()].mean(0)                        # (G, V) over masked frames
    perplexity = torch.exp(-torch.sum(marginal * torch.log(marginal + 1e-7), dim=-1)).sum()
    q = torch.einsum("ngv,gvd->ngd", hard, head.codevectors).reshape(B * T, D)
    qp = head.project_q(q)                                         # (B*T, 256)
    cp = head.project_hid(ctx).reshape(B * T, -1)
    pos, negs, c = qp[rows], qp[neg], cp[rows]                     # (M,256), (M,K,256), (M,256)
    cand = torch.cat([pos[:, None], negs], dim=1)                  # (M, K+1, 256)
    logits = F.cosine_similarity(c[:, None, :].float(), cand.float(), dim=-1) / TEMP
    neg_is_pos = (pos[:, None] == negs).all(-1)
    logits = logits.masked_fill(torch.cat([torch.zeros_like(neg_is_pos[:, :1]), neg_is_pos], dim=1), float("-inf"))
    m = rows.numel()
    masked_counts.append(m)
    contrastive = F.cross_entropy(logits, torch.zeros(m, dtype=torch.long), reduction="sum")
    diversity = (G * V - perplexity) / (G * V) * m
    return contrastive + 0.1 * diversity


loss_fn = ctc_step if task == "ctc" else pretrain_step
losses, times = [], []
for i in range(2 + steps):
    drawn = draw_mask_and_negatives() if task == "pretrain" else None
    t0 = time.perf_counter()
    opt.zero_grad(set_to_none=True)
    loss = loss_fn(drawn)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(params, 1e9)
    opt.step()
    dt = time.perf_counter() - t0
    losses.append(loss.item())
    if i >= 2:
        times.append(dt)
median = statistics.median(times)
r = {"task": task, "seconds_per_step": median, "times": times,
     "audio_seconds_per_second": batch * samples / 16000 / median,
     "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
     "parameters": parameters, "frames": frames, "losses": losses, "threads": torch.get_num_threads(),
     "torch": torch.__version__, "torchaudio": torchaudio.__version__}
if task == "pretrain":
    r["parameters_encoder"] = sum(p.numel() for p in model.parameters())
    r["masked_frames_per_step"] = statistics.mean(masked_counts)
print(json.dumps(r))
'''


def run_torch(task, steps):
    out = subprocess.run([DEBIAN_PYTHON, "-c", TORCH_CHILD, task, str(steps), str(BATCH), str(int(SECONDS * RATE))],
                         capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"PyTorch child failed ({task}):\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_wavlens(cmd, task, steps):
    """(result dict, None) or (None, reason) when `wavlens bench train` fails or lacks this task."""
    argv = [cmd, "bench", "train", "--shape", "tiny", "--batch", str(BATCH), "--seconds", f"{SECONDS:g}",
            "--steps", str(steps), "--only", task, "--json"]
    try:
        out = subprocess.run(argv, capture_output=True, text=True)
    except OSError as e:
        return None, f"cannot run {cmd}: {e.strerror}"
    lines = out.stdout.strip().splitlines()
    if out.returncode != 0 or not lines:
        err = (out.stderr.strip().splitlines() or ["no output"])[-1]
        return None, f"`{' '.join(argv[:3])}` failed (exit {out.returncode}): {err}"
    try:
        w = json.loads(lines[-1])
    except ValueError:
        return None, "last stdout line of wavlens is not JSON"
    if not isinstance(w.get(f"{task}_seconds_per_step"), (int, float)):
        return None, f"wavlens reported no {task}_seconds_per_step"
    return w, None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--steps", type=int, default=5, help="timed steps after 2 warm-up steps (median)")
    ap.add_argument("--only", choices=["ctc", "pretrain"], help="one task (default: both)")
    ap.add_argument("--wavlens-cmd", default="./wavlens", help="wavlens launcher (default ./wavlens)")
    ap.add_argument("--json", action="store_true", help="last line: one JSON object")
    a = ap.parse_args()
    if a.steps < 1:
        ap.error("--steps must be at least 1")
    tasks = [a.only] if a.only else ["ctc", "pretrain"]
    results, notes = {}, []
    for task in tasks:
        t = run_torch(task, a.steps)
        w, why = run_wavlens(a.wavlens_cmd, task, a.steps)
        if why:
            notes.append(f"{task}: wavlens not measured ({why}); PyTorch numbers alone")
        results[task] = {"pytorch": t, "wavlens": w}

    audio = BATCH * SECONDS
    print(f"{BATCH} x {SECONDS:g} s per step, tiny shape, median of {a.steps} steps after 2 warm-up steps")
    print(f"{'task':9} {'side':8} {'s/step':>8} {'audio-s/s':>10} {'peak MB':>8} {'params':>10}")
    summary = {}
    for task in tasks:
        t, w = results[task]["pytorch"], results[task]["wavlens"]
        print(f"{task:9} {'pytorch':8} {t['seconds_per_step']:8.3f} {t['audio_seconds_per_second']:10.1f} "
              f"{t['peak_rss_mb']:8.0f} {t['parameters']:10,}")
        s = {"pytorch_seconds_per_step": t["seconds_per_step"], "pytorch_audio_seconds_per_second": t["audio_seconds_per_second"],
             "pytorch_peak_rss_mb": t["peak_rss_mb"], "pytorch_parameters": t["parameters"]}
        if w is not None:
            ws = w[f"{task}_seconds_per_step"]
            wp = w.get(f"parameters_{task}")
            wr = w.get("peak_rss_mb")
            print(f"{task:9} {'wavlens':8} {ws:8.3f} {audio / ws:10.1f} "
                  f"{wr if wr is not None else float('nan'):8.0f} {format(wp, ',') if wp is not None else '':>10}")
            line = f"{task:9} speed-up x{t['seconds_per_step'] / ws:.2f} (pytorch s/step / wavlens s/step)"
            s.update(wavlens_seconds_per_step=ws, wavlens_audio_seconds_per_second=audio / ws, wavlens_peak_rss_mb=wr,
                     wavlens_parameters=wp, speedup=t["seconds_per_step"] / ws)
            if wr:
                line += f", memory ratio {wr / t['peak_rss_mb']:.2f} (wavlens / pytorch)"
                s["memory_ratio"] = wr / t["peak_rss_mb"]
            print(line)
        summary[task] = s
    for n in notes:
        print("note: " + n)
    if a.json:
        print(json.dumps({"batch": BATCH, "seconds_per_utterance": SECONDS, "audio_seconds_per_step": audio,
                          "steps": a.steps, "tasks": summary, "notes": notes,
                          "pytorch": {k: v["pytorch"] for k, v in results.items()},
                          "wavlens": {k: v["wavlens"] for k, v in results.items()}}))


if __name__ == "__main__":
    main()
