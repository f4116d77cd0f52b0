#!/usr/bin/env python3
"""Reference checkpoints and outputs for the WavLM, data2vec-audio and wav2vec2-conformer ports.

A plain PyTorch re-implementation (torch tensor ops only; no transformers, no package's model
code) of the eval-mode forward pass of HF transformers' WavLMModel/ForCTC,
Data2VecAudioModel/ForCTC and Wav2Vec2ConformerModel/ForCTC, written from the papers (WavLM,
Chen et al. 2022 §2.2; data2vec, Baevski et al. 2022 §3; Conformer, Gulati et al. 2020 §2;
Transformer-XL, Dai et al. 2019 §3.3; RoFormer, Su et al. 2021) and from HF's documented
semantics (see README.md beside this file for the points read and those unsure). It builds
small random checkpoints in HF layout (config.json with HF's keys, model.safetensors written
by hand, or pytorch_model.bin by torch.save), and writes every output float64-computed and
stored as float32 .npy for fixed inputs.

    /usr/bin/python3 tools/reference/families.py core/src/test/resources/families

(run from the repository root; needs Debian's python3-torch and python3-numpy). The output is
deterministic for a given torch/numpy build.
"""
import json
import math
import os
import struct
import sys
import wave
from collections import OrderedDict

import numpy as np
import torch

torch.set_grad_enabled(False)
D = torch.float64
SPEECH_WAV = "../shared/testdata/wav2vec2/ctc-base/inputs/speech_fi.wav"   # eSpeak NG Finnish, 16 kHz

VOCAB = ["[PAD]", "[UNK]", "|"] + list("abcdefghijklmnopqrstuvwxyzåäö")

# ----------------------------------------------------------------------------- cases

BASE = dict(conv_dim=[16, 24, 32], conv_kernel=[10, 5, 3], conv_stride=[5, 4, 4], hidden_size=32,
            num_hidden_layers=3, num_attention_heads=4, intermediate_size=64, layer_norm_eps=1e-5,
            hidden_act="gelu", feat_extract_activation="gelu")

CASES = [
    # name, model_type, architecture, overrides, storage, prefix, inputs, batch
    dict(name="wavlm-base", model_type="wavlm", arch="WavLMModel", storage="F32", prefix="",
         cfg=dict(feat_extract_norm="group", do_stable_layer_norm=False, conv_bias=False,
                  num_conv_pos_embeddings=8, num_conv_pos_embedding_groups=4, num_buckets=20, max_bucket_distance=50),
         wn="old", inputs=["synthetic"]),
    dict(name="wavlm-stable-ctc", model_type="wavlm", arch="WavLMForCTC", storage="F32", prefix="wavlm.",
         cfg=dict(feat_extract_norm="layer", do_stable_layer_norm=True, conv_bias=True, hidden_size=36,
                  num_attention_heads=3, num_hidden_layers=2, num_conv_pos_embeddings=7,
                  num_conv_pos_embedding_groups=3, num_buckets=15, max_bucket_distance=24),
         wn="new", inputs=["synthetic", "speech"], batch=True),
    dict(name="wavlm-ctc-fp16", model_type="wavlm", arch="WavLMForCTC", storage="F16", prefix="wavlm.",
         cfg=dict(feat_extract_norm="group", do_stable_layer_norm=False, conv_bias=False,
                  num_conv_pos_embeddings=8, num_conv_pos_embedding_groups=4, num_buckets=32, max_bucket_distance=100),
         wn="old", inputs=["synthetic", "speech"]),
    dict(name="data2vec-audio-base", model_type="data2vec-audio", arch="Data2VecAudioModel", storage="F32", prefix="",
         cfg=dict(conv_bias=False, num_conv_pos_embeddings=3, conv_pos_kernel_size=5, num_conv_pos_embedding_groups=4),
         inputs=["synthetic"]),
    dict(name="data2vec-audio-ctc-bin", model_type="data2vec-audio", arch="Data2VecAudioForCTC", storage="bin",
         prefix="data2vec_audio.",
         cfg=dict(conv_bias=True, num_conv_pos_embeddings=2, conv_pos_kernel_size=4, num_conv_pos_embedding_groups=2,
                  num_attention_heads=2, num_hidden_layers=2, conv_dim=[16, 16, 24, 32], conv_kernel=[10, 3, 3, 2],
                  conv_stride=[5, 2, 4, 2]),
         inputs=["synthetic", "speech"], batch=True),
    dict(name="conformer-rel", model_type="wav2vec2-conformer", arch="Wav2Vec2ConformerModel", storage="F32",
         prefix="wav2vec2_conformer.",
         cfg=dict(feat_extract_norm="group", conv_bias=False, position_embeddings_type="relative",
                  conv_depthwise_kernel_size=7, hidden_act="swish", num_conv_pos_embeddings=8,
                  num_conv_pos_embedding_groups=4, max_source_positions=5000, num_hidden_layers=2),
         wn="new", inputs=["synthetic"], batch=True),
    dict(name="conformer-rel-ctc", model_type="wav2vec2-conformer", arch="Wav2Vec2ConformerForCTC", storage="F32",
         prefix="wav2vec2_conformer.",
         cfg=dict(feat_extract_norm="layer", conv_bias=True, position_embeddings_type="relative",
                  conv_depthwise_kernel_size=5, hidden_act="swish", num_conv_pos_embeddings=8,
                  num_conv_pos_embedding_groups=4, num_attention_heads=2, max_source_positions=5000),
         wn="old", inputs=["synthetic", "speech"]),
    dict(name="conformer-rope-ctc-bf16", model_type="wav2vec2-conformer", arch="Wav2Vec2ConformerForCTC", storage="BF16",
         prefix="wav2vec2_conformer.",
         cfg=dict(feat_extract_norm="layer", conv_bias=True, position_embeddings_type="rotary",
                  rotary_embedding_base=10000, conv_depthwise_kernel_size=3, hidden_act="swish",
                  num_conv_pos_embeddings=8, num_conv_pos_embedding_groups=4, num_hidden_layers=2),
         wn="new", inv_freq=True, inputs=["synthetic", "speech"]),
    dict(name="conformer-rope-noinv", model_type="wav2vec2-conformer", arch="Wav2Vec2ConformerModel", storage="F32",
         prefix="",
         cfg=dict(feat_extract_norm="group", conv_bias=False, position_embeddings_type="rotary",
                  rotary_embedding_base=500, conv_depthwise_kernel_size=9, hidden_act="gelu",
                  num_attention_heads=2, num_conv_pos_embeddings=8, num_conv_pos_embedding_groups=4),
         wn="old", inv_freq=False, inputs=["synthetic"]),
    dict(name="conformer-nopos", model_type="wav2vec2-conformer", arch="Wav2Vec2ConformerModel", storage="F32",
         prefix="wav2vec2_conformer.",
         cfg=dict(feat_extract_norm="group", conv_bias=False, position_embeddings_type=None,
                  conv_depthwise_kernel_size=3, hidden_act="swish", num_hidden_layers=2,
                  num_conv_pos_embeddings=8, num_conv_pos_embedding_groups=4),
         wn="old", inputs=["synthetic"]),
    # the analyze pair: a WavLM "pretrained" model and a CTC model of the same shape
    dict(name="wavlm-pair-pretrained", model_type="wavlm", arch="WavLMModel", storage="F32", prefix="wavlm.",
         cfg=dict(feat_extract_norm="group", do_stable_layer_norm=False, conv_bias=False, num_hidden_layers=2,
                  num_conv_pos_embeddings=8, num_conv_pos_embedding_groups=4, num_buckets=20, max_bucket_distance=50),
         wn="old", inputs=["synthetic"]),
    dict(name="wavlm-pair-ctc", model_type="wavlm", arch="WavLMForCTC", storage="F32", prefix="wavlm.",
         cfg=dict(feat_extract_norm="group", do_stable_layer_norm=False, conv_bias=False, num_hidden_layers=2,
                  num_conv_pos_embeddings=8, num_conv_pos_embedding_groups=4, num_buckets=20, max_bucket_distance=50),
         wn="old", inputs=["synthetic", "speech"]),
]


def full_config(case):
    c = dict(BASE)
    c.update(case["cfg"])
    c["model_type"] = case["model_type"]
    c["architectures"] = [case["arch"]]
    c["num_feat_extract_layers"] = len(c["conv_dim"])
    c["vocab_size"] = len(VOCAB)
    c["pad_token_id"] = 0
    c["torch_dtype"] = {"F32": "float32", "F16": "float16", "BF16": "bfloat16", "bin": "float32"}[case["storage"]]
    # training-only fields HF writes; they have no effect on the eval forward pass
    c.update(hidden_dropout=0.1, attention_dropout=0.1, activation_dropout=0.0, feat_proj_dropout=0.0,
             final_dropout=0.1, layerdrop=0.1, mask_time_prob=0.05, mask_time_length=10, add_adapter=False,
             use_weighted_layer_sum=False, ctc_loss_reduction="sum", ctc_zero_infinity=False)
    if case["model_type"] == "data2vec-audio":
        c.pop("feat_extract_norm", None)
    return c


# ----------------------------------------------------------------------------- random weights

class Init:
    def __init__(self, seed):
        self.g = torch.Generator().manual_seed(seed)

    def normal(self, *shape, std=1.0, mean=0.0):
        return (torch.randn(*shape, generator=self.g, dtype=torch.float32) * std + mean)

    def uniform(self, *shape, lo=0.0, hi=1.0):
        return torch.rand(*shape, generator=self.g, dtype=torch.float32) * (hi - lo) + lo


def make_weights(case, c, seed):
    """HF state-dict names (before the prefix) → float32 tensors."""
    r = Init(seed)
    w = OrderedDict()
    H, I = c["hidden_size"], c["intermediate_size"]
    heads = c["num_attention_heads"]
    d = H // heads
    mt = case["model_type"]

    def linear(name, out, inp, bias=True, gain=1.0):
        w[name + ".weight"] = r.normal(out, inp, std=gain / math.sqrt(inp))
        if bias:
            w[name + ".bias"] = r.normal(out, std=0.1)

    def norm(name, n):
        w[name + ".weight"] = r.normal(n, std=0.1, mean=1.0)
        w[name + ".bias"] = r.normal(n, std=0.1)

    cin = 1
    layer_norm_convs = mt == "data2vec-audio" or c["feat_extract_norm"] == "layer"
    for i, (co, k) in enumerate(zip(c["conv_dim"], c["conv_kernel"])):
        p = f"feature_extractor.conv_layers.{i}."
        w[p + "conv.weight"] = r.normal(co, cin, k, std=math.sqrt(2.0 / (cin * k)))
        if c["conv_bias"]:
            w[p + "conv.bias"] = r.normal(co, std=0.1)
        if layer_norm_convs or i == 0:
            norm(p + "layer_norm", co)
        cin = co
    C = c["conv_dim"][-1]
    norm("feature_projection.layer_norm", C)
    linear("feature_projection.projection", H, C)
    w["masked_spec_embed"] = r.uniform(H)

    if mt == "data2vec-audio":
        K, G = c["conv_pos_kernel_size"], c["num_conv_pos_embedding_groups"]
        for j in range(c["num_conv_pos_embeddings"]):
            w[f"encoder.pos_conv_embed.layers.{j}.conv.weight"] = r.normal(H, H // G, K, std=1.0 / math.sqrt(K * H // G))
            w[f"encoder.pos_conv_embed.layers.{j}.conv.bias"] = r.normal(H, std=0.1)
    else:
        # weight-normed positional conv (dim = 2: one norm per kernel tap); the conformer carries it unused
        K, G = c["num_conv_pos_embeddings"], c["num_conv_pos_embedding_groups"]
        v = r.normal(H, H // G, K, std=1.0)
        g = r.uniform(1, 1, K, lo=0.5, hi=1.5) * math.sqrt(H // G)
        if case.get("wn") == "new":
            w["encoder.pos_conv_embed.conv.parametrizations.weight.original0"] = g
            w["encoder.pos_conv_embed.conv.parametrizations.weight.original1"] = v
        else:
            w["encoder.pos_conv_embed.conv.weight_g"] = g
            w["encoder.pos_conv_embed.conv.weight_v"] = v
        w["encoder.pos_conv_embed.conv.bias"] = r.normal(H, std=0.1)
    norm("encoder.layer_norm", H)

    for l in range(c["num_hidden_layers"]):
        p = f"encoder.layers.{l}."
        if mt == "wav2vec2-conformer":
            for ffn in ("ffn1", "ffn2"):
                norm(p + ffn + "_layer_norm", H)
                linear(p + ffn + ".intermediate_dense", I, H)
                linear(p + ffn + ".output_dense", H, I)
            norm(p + "self_attn_layer_norm", H)
            for n in ("linear_q", "linear_k", "linear_v", "linear_out"):
                linear(p + "self_attn." + n, H, H)
            if c["position_embeddings_type"] == "relative":
                linear(p + "self_attn.linear_pos", H, H, bias=False)
                w[p + "self_attn.pos_bias_u"] = r.normal(heads, d, std=0.5)
                w[p + "self_attn.pos_bias_v"] = r.normal(heads, d, std=0.5)
            m = p + "conv_module."
            norm(m + "layer_norm", H)
            w[m + "pointwise_conv1.weight"] = r.normal(2 * H, H, 1, std=1.0 / math.sqrt(H))
            Kd = c["conv_depthwise_kernel_size"]
            w[m + "depthwise_conv.weight"] = r.normal(H, 1, Kd, std=1.0 / math.sqrt(Kd))
            w[m + "batch_norm.weight"] = r.normal(H, std=0.1, mean=1.0)
            w[m + "batch_norm.bias"] = r.normal(H, std=0.1)
            w[m + "batch_norm.running_mean"] = r.normal(H, std=0.2)
            w[m + "batch_norm.running_var"] = r.uniform(H, lo=0.3, hi=1.5)
            w[m + "batch_norm.num_batches_tracked"] = torch.tensor(1234, dtype=torch.int64)
            w[m + "pointwise_conv2.weight"] = r.normal(H, H, 1, std=1.0 / math.sqrt(H))
            norm(p + "final_layer_norm", H)
        else:
            for n in ("q_proj", "k_proj", "v_proj", "out_proj"):
                linear(p + "attention." + n, H, H)
            if mt == "wavlm":
                w[p + "attention.gru_rel_pos_const"] = r.normal(1, heads, 1, 1, std=0.3, mean=1.0)
                linear(p + "attention.gru_rel_pos_linear", 8, d)
                if l == 0:
                    w[p + "attention.rel_attn_embed.weight"] = r.normal(c["num_buckets"], heads, std=1.0)
            norm(p + "layer_norm", H)
            linear(p + "feed_forward.intermediate_dense", I, H)
            linear(p + "feed_forward.output_dense", H, I)
            norm(p + "final_layer_norm", H)
    if mt == "wav2vec2-conformer" and c["position_embeddings_type"] == "rotary" and case.get("inv_freq"):
        w["encoder.embed_positions.inv_freq"] = 1.0 / (c["rotary_embedding_base"] ** (torch.arange(0, d, 2).float() / d))
    head = OrderedDict()
    if case["arch"].endswith("ForCTC"):
        head["lm_head.weight"] = r.normal(len(VOCAB), H, std=3.0 / math.sqrt(H))
        head["lm_head.bias"] = r.normal(len(VOCAB), std=0.5)
    return w, head


def stored(t, storage):
    """The value a float32 port reads back from the file (fp16/bf16 rounding applied)."""
    if t.dtype != torch.float32:
        return t
    if storage == "F16":
        return t.half().float()
    if storage == "BF16":
        return t.bfloat16().float()
    return t


# ----------------------------------------------------------------------------- the forward pass (float64)

def layer_norm(x, w=None, b=None, eps=1e-5):
    mu = x.mean(-1, keepdim=True)
    var = ((x - mu) ** 2).mean(-1, keepdim=True)
    y = (x - mu) / torch.sqrt(var + eps)
    return y if w is None else y * w + b


def gelu(x):
    return 0.5 * x * (1.0 + torch.erf(x / math.sqrt(2.0)))


def act(name, x):
    if name == "gelu":
        return gelu(x)
    if name in ("swish", "silu"):
        return x * torch.sigmoid(x)
    if name == "relu":
        return torch.clamp(x, min=0)
    raise ValueError(name)


def conv1d(x, w, b, stride=1, pad=0, groups=1):
    """x [C_in, T], w [C_out, C_in/groups, K] → [C_out, T_out] by explicit taps."""
    cin, T = x.shape
    cout, per, K = w.shape
    if pad:
        x = torch.cat([torch.zeros(cin, pad, dtype=x.dtype), x, torch.zeros(cin, pad, dtype=x.dtype)], 1)
    Tp = x.shape[1]
    tout = (Tp - K) // stride + 1
    out = torch.zeros(cout, tout, dtype=x.dtype)
    og = cout // groups
    for g in range(groups):
        xs = x[g * per:(g + 1) * per]
        for k in range(K):
            cols = xs[:, k:k + stride * (tout - 1) + 1:stride]          # [per, tout]
            out[g * og:(g + 1) * og] += w[g * og:(g + 1) * og, :, k] @ cols
    if b is not None:
        out += b[:, None]
    return out


def feature_encoder(c, W, x, mt):
    """x [N] → list of each conv layer's output [C_i, T_i] (after norm and activation)."""
    h = x[None, :]
    outs = []
    layer_norm_convs = mt == "data2vec-audio" or c.get("feat_extract_norm") == "layer"
    for i, s in enumerate(c["conv_stride"]):
        p = f"feature_extractor.conv_layers.{i}."
        h = conv1d(h, W[p + "conv.weight"], W.get(p + "conv.bias"), stride=s)
        if layer_norm_convs:
            h = layer_norm(h.T, W[p + "layer_norm.weight"], W[p + "layer_norm.bias"], 1e-5).T
        elif i == 0:   # GroupNorm(C, C): each channel over time
            mu = h.mean(1, keepdim=True)
            var = ((h - mu) ** 2).mean(1, keepdim=True)
            h = (h - mu) / torch.sqrt(var + 1e-5) * W[p + "layer_norm.weight"][:, None] + W[p + "layer_norm.bias"][:, None]
        h = act(c["feat_extract_activation"], h)
        outs.append(h)
    return outs


def weight_normed(W):
    p = "encoder.pos_conv_embed.conv."
    if p + "weight_g" in W:
        g, v = W[p + "weight_g"], W[p + "weight_v"]
    else:
        g, v = W[p + "parametrizations.weight.original0"], W[p + "parametrizations.weight.original1"]
    norm = torch.sqrt((v ** 2).sum(dim=(0, 1), keepdim=True))   # dim = 2: one norm per tap
    return g * v / norm


def same_conv(x, w, b, groups):
    """[T, H] → [T, H]: pad K//2 both sides, drop the last frame for even K (SamePad)."""
    K = w.shape[2]
    y = conv1d(x.T, w, b, pad=K // 2, groups=groups)
    if K % 2 == 0:
        y = y[:, :-1]
    return y.T


def attention_scores_mask(T, valid):
    m = torch.zeros(T, T, dtype=D)
    m[:, valid:] = float("-inf")
    return m


def wavlm_buckets(c, T):
    """Bucket of every relative distance (key − query), computed as HF does (float32 log)."""
    nb = c["num_buckets"] // 2
    max_exact = nb // 2
    rel = torch.arange(T)[None, :] - torch.arange(T)[:, None]
    buckets = (rel > 0).long() * nb
    a = rel.abs()
    large = torch.log(a.float() / max_exact) / math.log(c["max_bucket_distance"] / max_exact) * (nb - max_exact)
    large = (max_exact + large).long().clamp(max=nb - 1)
    # the same in float64: the fixtures avoid distances where float32 and float64 would disagree
    large64 = torch.log(a.double() / max_exact) / math.log(c["max_bucket_distance"] / max_exact) * (nb - max_exact)
    large64 = (max_exact + large64).long().clamp(max=nb - 1)
    small = a < max_exact
    assert torch.equal(torch.where(small, a, large), torch.where(small, a, large64)), "bucket boundary ambiguity"
    return buckets + torch.where(small, a, large)


def mha(x, W, p, heads, valid, bias=None):
    """Multi-head self-attention of x [T, H] (q, k, v, out projections under p); bias [heads, T, T] added to the scores."""
    T, H = x.shape
    d = H // heads
    q = (x @ W[p + "q_proj.weight"].T + W[p + "q_proj.bias"]) / math.sqrt(d)
    k = x @ W[p + "k_proj.weight"].T + W[p + "k_proj.bias"]
    v = x @ W[p + "v_proj.weight"].T + W[p + "v_proj.bias"]
    out = torch.zeros(T, H, dtype=D)
    mask = attention_scores_mask(T, valid)
    for h in range(heads):
        s = q[:, h * d:(h + 1) * d] @ k[:, h * d:(h + 1) * d].T + mask
        if bias is not None:
            s = s + bias[h]
        out[:, h * d:(h + 1) * d] = torch.softmax(s, -1) @ v[:, h * d:(h + 1) * d]
    return out @ W[p + "out_proj.weight"].T + W[p + "out_proj.bias"]


def wavlm_attention(c, W, l, x, valid, rel_bias):
    """WavLM §2.2: gated relative position bias; the gate from the block's input, per head."""
    heads = c["num_attention_heads"]
    T, H = x.shape
    d = H // heads
    p = f"encoder.layers.{l}.attention."
    gated = torch.zeros(heads, T, T, dtype=D)
    for h in range(heads):
        proj = x[:, h * d:(h + 1) * d] @ W[p + "gru_rel_pos_linear.weight"].T + W[p + "gru_rel_pos_linear.bias"]   # [T, 8]
        ga = torch.sigmoid(proj[:, 0:4].sum(-1))
        gb = torch.sigmoid(proj[:, 4:8].sum(-1))
        gate = ga * (gb * W[p + "gru_rel_pos_const"][0, h, 0, 0] - 1.0) + 2.0          # [T]
        gated[h] = gate[:, None] * rel_bias[h]
    return mha(x, W, p, heads, valid, gated)


def ffn(W, p, x, a):
    return act(a, x @ W[p + "intermediate_dense.weight"].T + W[p + "intermediate_dense.bias"]) @ W[p + "output_dense.weight"].T + W[p + "output_dense.bias"]


def transformer(c, W, x, valid, mt):
    """wav2vec2-style encoder (WavLM, data2vec-audio): returns hidden_states[0..L]."""
    eps = c["layer_norm_eps"]
    H = c["hidden_size"]
    heads = c["num_attention_heads"]
    x = x.clone()
    x[valid:] = 0
    if mt == "data2vec-audio":
        y = x
        for j in range(c["num_conv_pos_embeddings"]):
            q = f"encoder.pos_conv_embed.layers.{j}.conv."
            y = act(c["feat_extract_activation"],
                    layer_norm(same_conv(y, W[q + "weight"], W[q + "bias"], c["num_conv_pos_embedding_groups"]), eps=1e-5))
        x = x + y
    else:
        pos = same_conv(x, weight_normed(W), W["encoder.pos_conv_embed.conv.bias"], c["num_conv_pos_embedding_groups"])
        x = x + act(c["feat_extract_activation"], pos)
    stable = c.get("do_stable_layer_norm", False) and mt == "wavlm"
    rel_bias = None
    if mt == "wavlm":
        T = x.shape[0]
        buckets = wavlm_buckets(c, T)
        rel_bias = W["encoder.layers.0.attention.rel_attn_embed.weight"][buckets].permute(2, 0, 1)   # [heads, T, T]
    hs = []
    if not stable:
        x = layer_norm(x, W["encoder.layer_norm.weight"], W["encoder.layer_norm.bias"], eps)
    for l in range(c["num_hidden_layers"]):
        hs.append(x)
        p = f"encoder.layers.{l}."

        def attend(inp):
            if mt == "wavlm":
                return wavlm_attention(c, W, l, inp, valid, rel_bias)
            return mha(inp, W, p + "attention.", heads, valid)
        if stable:
            a = x + attend(layer_norm(x, W[p + "layer_norm.weight"], W[p + "layer_norm.bias"], eps))
            x = a + ffn(W, p + "feed_forward.", layer_norm(a, W[p + "final_layer_norm.weight"], W[p + "final_layer_norm.bias"], eps), c["hidden_act"])
        else:
            a = layer_norm(x + attend(x), W[p + "layer_norm.weight"], W[p + "layer_norm.bias"], eps)
            x = layer_norm(a + ffn(W, p + "feed_forward.", a, c["hidden_act"]), W[p + "final_layer_norm.weight"], W[p + "final_layer_norm.bias"], eps)
    if stable:
        x = layer_norm(x, W["encoder.layer_norm.weight"], W["encoder.layer_norm.bias"], eps)
    hs.append(x)
    return hs


def sinusoid_relative(T, H):
    """Transformer-XL embeddings for relative positions T−1, …, 0, …, −(T−1) (row r ↔ position T−1−r)."""
    pos = torch.arange(T - 1, -T, -1, dtype=D)[:, None]
    div = torch.exp(torch.arange(0, H, 2, dtype=D) * -(math.log(10000.0) / H))
    pe = torch.zeros(2 * T - 1, H, dtype=D)
    pe[:, 0::2] = torch.sin(pos * div)
    pe[:, 1::2] = torch.cos(pos * div)
    return pe


def conformer_attention(c, W, p, x, valid, pe, inv_freq):
    heads = c["num_attention_heads"]
    T, H = x.shape
    d = H // heads
    qk_in = x
    if c["position_embeddings_type"] == "rotary":
        t = torch.arange(T, dtype=D)[:, None] * inv_freq[None, :]
        emb = torch.cat([t, t], -1)                              # [T, d]
        cos, sin = torch.cos(emb), torch.sin(emb)
        xs = x.view(T, heads, d)
        rot = torch.cat([-xs[..., d // 2:], xs[..., :d // 2]], -1)
        qk_in = (xs * cos[:, None, :] + rot * sin[:, None, :]).reshape(T, H)
    q = qk_in @ W[p + "linear_q.weight"].T + W[p + "linear_q.bias"]
    k = qk_in @ W[p + "linear_k.weight"].T + W[p + "linear_k.bias"]
    v = x @ W[p + "linear_v.weight"].T + W[p + "linear_v.bias"]
    mask = attention_scores_mask(T, valid)
    out = torch.zeros(T, H, dtype=D)
    if c["position_embeddings_type"] == "relative":
        P = pe @ W[p + "linear_pos.weight"].T                    # [2T−1, H], row r ↔ relative position T−1−r
    for h in range(heads):
        sl = slice(h * d, (h + 1) * d)
        if c["position_embeddings_type"] == "relative":
            ac = (q[:, sl] + W[p + "pos_bias_u"][h]) @ k[:, sl].T
            bd_full = (q[:, sl] + W[p + "pos_bias_v"][h]) @ P[:, sl].T   # [T, 2T−1]
            i = torch.arange(T)[:, None]
            j = torch.arange(T)[None, :]
            bd = bd_full[i, T - 1 - i + j]                                  # score of query i, key j uses position i − j
            s = (ac + bd) / math.sqrt(d)
        else:
            s = q[:, sl] @ k[:, sl].T / math.sqrt(d)
        out[:, sl] = torch.softmax(s + mask, -1) @ v[:, sl]
    return out @ W[p + "linear_out.weight"].T + W[p + "linear_out.bias"]


def conv_module(c, W, p, x):
    """Conformer §2.2: LN → pointwise conv → GLU → depthwise conv → BatchNorm (running stats) → act → pointwise conv."""
    y = layer_norm(x, W[p + "layer_norm.weight"], W[p + "layer_norm.bias"], 1e-5)
    z = y @ W[p + "pointwise_conv1.weight"][:, :, 0].T           # [T, 2H]
    H = x.shape[1]
    g = z[:, :H] * torch.sigmoid(z[:, H:])
    K = c["conv_depthwise_kernel_size"]
    g = conv1d(g.T, W[p + "depthwise_conv.weight"], None, pad=(K - 1) // 2, groups=H).T
    g = (g - W[p + "batch_norm.running_mean"]) / torch.sqrt(W[p + "batch_norm.running_var"] + 1e-5) * W[p + "batch_norm.weight"] + W[p + "batch_norm.bias"]
    g = act(c["hidden_act"], g)
    return g @ W[p + "pointwise_conv2.weight"][:, :, 0].T


def conformer(c, W, x, valid):
    H = c["hidden_size"]
    d = H // c["num_attention_heads"]
    x = x.clone()
    x[valid:] = 0
    T = x.shape[0]
    pe = sinusoid_relative(T, H) if c["position_embeddings_type"] == "relative" else None
    inv_freq = None
    if c["position_embeddings_type"] == "rotary":
        inv_freq = W.get("encoder.embed_positions.inv_freq")
        if inv_freq is None:
            inv_freq = 1.0 / (c["rotary_embedding_base"] ** (torch.arange(0, d, 2, dtype=D) / d))
    hs = []
    a = c["hidden_act"]
    for l in range(c["num_hidden_layers"]):
        hs.append(x)
        p = f"encoder.layers.{l}."
        x = x + 0.5 * ffn(W, p + "ffn1.", layer_norm(x, W[p + "ffn1_layer_norm.weight"], W[p + "ffn1_layer_norm.bias"]), a)
        x = x + conformer_attention(c, W, p + "self_attn.", layer_norm(x, W[p + "self_attn_layer_norm.weight"], W[p + "self_attn_layer_norm.bias"]), valid, pe, inv_freq)
        x = x + conv_module(c, W, p + "conv_module.", x)
        x = x + 0.5 * ffn(W, p + "ffn2.", layer_norm(x, W[p + "ffn2_layer_norm.weight"], W[p + "ffn2_layer_norm.bias"]), a)
        x = layer_norm(x, W[p + "final_layer_norm.weight"], W[p + "final_layer_norm.bias"])
    hs.append(layer_norm(x, W["encoder.layer_norm.weight"], W["encoder.layer_norm.bias"], c["layer_norm_eps"]))
    return hs


def frames_for(c, n):
    for k, s in zip(c["conv_kernel"], c["conv_stride"]):
        n = (n - k) // s + 1
    return n


def forward(c, W, head, x, valid_samples, mt):
    convs = feature_encoder(c, W, x, mt)
    feats = convs[-1].T                                          # [T, C]
    T = feats.shape[0]
    valid = T if valid_samples >= len(x) else frames_for(c, valid_samples)
    extract = layer_norm(feats, W["feature_projection.layer_norm.weight"], W["feature_projection.layer_norm.bias"], c["layer_norm_eps"])
    h = extract @ W["feature_projection.projection.weight"].T + W["feature_projection.projection.bias"]
    hs = conformer(c, W, h, valid) if mt == "wav2vec2-conformer" else transformer(c, W, h, valid, mt)
    logits = hs[-1] @ head["lm_head.weight"].T + head["lm_head.bias"] if head else None
    return dict(convs=[o.T for o in convs], extract=extract, hidden=hs, logits=logits, valid=valid)


# ----------------------------------------------------------------------------- files

def write_npy(path, a):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    np.save(path, np.ascontiguousarray(a))


def write_safetensors(path, tensors, storage):
    header, blobs, off = {}, [], 0
    for name in sorted(tensors):
        t = tensors[name]
        if t.dtype == torch.int64:
            dt, b = "I64", t.numpy().astype("<i8").tobytes()
        elif storage == "F16":
            dt, b = "F16", t.numpy().astype("<f2").tobytes()
        elif storage == "BF16":
            dt, b = "BF16", t.bfloat16().view(torch.int16).numpy().astype("<i2").tobytes()
        else:
            dt, b = "F32", t.numpy().astype("<f4").tobytes()
        header[name] = {"dtype": dt, "shape": list(t.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    header["__metadata__"] = {"format": "pt"}
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def write_wav(path, pcm):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(pcm.astype("<i2").tobytes())


def normalise(pcm):
    x = (pcm.astype(np.float32) / np.float32(32768.0))
    return ((x - x.mean()) / np.sqrt(x.var() + np.float32(1e-7))).astype(np.float32)


def synthetic_pcm(n, seed):
    rng = np.random.default_rng(seed)
    t = np.arange(n) / 16000.0
    x = 0.3 * np.sin(2 * np.pi * 220 * t) + 0.2 * np.sin(2 * np.pi * 587.3 * t)
    x += 0.15 * np.sin(2 * np.pi * (300 * t + 600 * t * t))
    x += 0.1 * (t > 0.2) * np.sin(2 * np.pi * 3150 * t)
    x *= 0.7 + 0.3 * np.sin(2 * np.pi * 3 * t)
    x += 0.03 * rng.standard_normal(n)
    x = 0.6 * x / np.abs(x).max()
    return np.round(x * 32767).astype(np.int16)


def speech_pcm(n):
    with wave.open(SPEECH_WAV) as w:
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    return pcm[3000:3000 + n].copy()


def decode(ids):
    out, prev = [], -1
    for i in ids:
        if i != prev and i != 0:
            out.append(" " if VOCAB[i] == "|" else VOCAB[i])
        prev = i
    return "".join(out).strip()


def save_outputs(dir_, o, H, valid=None):
    n = o["valid"] if valid else None
    cut = (lambda a: a[:n]) if n is not None else (lambda a: a)
    f32 = lambda t: cut(t).numpy().astype(np.float32)
    write_npy(f"{dir_}/conv_features.npy", f32(o["convs"][-1]))
    write_npy(f"{dir_}/extract_features.npy", f32(o["extract"]))
    for i, h in enumerate(o["hidden"]):
        write_npy(f"{dir_}/hidden_states_{i:02d}.npy", f32(h))
    info = {"frames": int(o["hidden"][0].shape[0] if n is None else n)}
    if o["logits"] is not None:
        lg = cut(o["logits"])
        write_npy(f"{dir_}/logits.npy", lg.numpy().astype(np.float32))
        ids = lg.argmax(-1)
        write_npy(f"{dir_}/predicted_ids.npy", ids.numpy().astype(np.int32))
        top2 = torch.topk(lg, 2, -1).values
        info["min_top1_top2_margin"] = float((top2[:, 0] - top2[:, 1]).min())
        text = decode(ids.tolist())
        with open(f"{dir_}/transcription.txt", "w", encoding="utf-8") as f:
            f.write(text)
        info["transcription"] = text
    return info


def build(case, out_root):
    c = full_config(case)
    mt = case["model_type"]
    d = os.path.join(out_root, case["name"])
    os.makedirs(d, exist_ok=True)
    seed = sum(ord(ch) for ch in case["name"])
    # re-draw the head until every frame's CTC argmax is clear of the runner-up (transcripts must be exact)
    for attempt in range(50):
        w, head = make_weights(case, c, seed + 1000 * attempt)
        W = {k: stored(v, case["storage"]).to(D) if v.dtype == torch.float32 else v for k, v in w.items()}
        Hd = {k: stored(v, case["storage"]).to(D) for k, v in head.items()}
        results = {}
        ok = True
        for inp in case["inputs"]:
            pcm = synthetic_pcm(8000, 7) if inp == "synthetic" else speech_pcm(9600)
            x = normalise(pcm)
            o = forward(c, W, Hd, torch.from_numpy(x).to(D), len(x), mt)
            results[inp] = (pcm, x, o)
            if o["logits"] is not None:
                top2 = torch.topk(o["logits"], 2, -1).values
                ok &= float((top2[:, 0] - top2[:, 1]).min()) > 2e-3
        if ok:
            break
    else:
        raise SystemExit(f"{case['name']}: no head with clear argmax margins")

    with open(f"{d}/config.json", "w") as f:
        json.dump(c, f, indent=2, sort_keys=True)
    with open(f"{d}/preprocessor_config.json", "w") as f:
        json.dump({"do_normalize": True, "feature_extractor_type": "Wav2Vec2FeatureExtractor", "feature_size": 1,
                   "padding_side": "right", "padding_value": 0.0, "return_attention_mask": True,
                   "sampling_rate": 16000}, f, indent=2)
    state = OrderedDict((case["prefix"] + k, v) for k, v in w.items())
    state.update(head)
    if case["storage"] == "bin":
        torch.save(state, f"{d}/pytorch_model.bin")
    else:
        write_safetensors(f"{d}/model.safetensors", state, case["storage"])
    if head:
        with open(f"{d}/vocab.json", "w", encoding="utf-8") as f:
            json.dump({t: i for i, t in enumerate(VOCAB)}, f, ensure_ascii=False)
        with open(f"{d}/tokenizer_config.json", "w") as f:
            json.dump({"pad_token": "[PAD]", "unk_token": "[UNK]", "word_delimiter_token": "|",
                       "tokenizer_class": "Wav2Vec2CTCTokenizer", "do_lower_case": False}, f, indent=2)
    manifest = {"case": case["name"], "model_type": mt, "architecture": case["arch"], "storage": case["storage"],
                "prefix": case["prefix"], "inputs": {}}
    for inp, (pcm, x, o) in results.items():
        write_wav(f"{d}/inputs/{inp}.wav", pcm)
        write_npy(f"{d}/inputs/{inp}_input_values.npy", x)
        manifest["inputs"][inp] = save_outputs(f"{d}/expected/{inp}", o, c["hidden_size"])
        manifest["inputs"][inp]["samples"] = len(x)
    if case.get("batch"):
        # a padded batch: row b is utterance b normalised over its own samples, zero padded
        a, b = results[case["inputs"][-1]][1], normalise(synthetic_pcm(8000, 7)[:5001])
        n = max(len(a), len(b))
        batch = np.zeros((2, n), np.float32)
        mask = np.zeros((2, n), np.int32)
        for r, u in enumerate((a, b)):
            batch[r, :len(u)] = u
            mask[r, :len(u)] = 1
        write_npy(f"{d}/inputs/batch_input_values.npy", batch)
        write_npy(f"{d}/inputs/batch_attention_mask.npy", mask)
        manifest["batch"] = {}
        for r in range(2):
            o = forward(c, W, Hd, torch.from_numpy(batch[r]).to(D), int(mask[r].sum()), mt)
            manifest["batch"][f"u{r}"] = save_outputs(f"{d}/expected/batch/u{r}", o, c["hidden_size"], valid=True)
            manifest["batch"][f"u{r}"]["valid_samples"] = int(mask[r].sum())
    with open(f"{d}/expected/manifest.json", "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2, ensure_ascii=False)
    return manifest


def self_check():
    """The building blocks above against PyTorch's own library operations (a second formulation,
    as HF's code calls them); returns the largest difference seen, float64."""
    import torch.nn.functional as Fn
    g = torch.Generator().manual_seed(5)
    rnd = lambda *s: torch.randn(*s, generator=g, dtype=D)
    worst = {}
    T, H, heads = 23, 12, 3
    d = H // heads
    x = rnd(T, H)
    # conv1d (strided; grouped "same" with an even kernel) against F.conv1d
    w, b = rnd(6, 1, 5), rnd(6)
    worst["conv1d"] = (conv1d(x[:, 0][None], w, b, stride=3) - Fn.conv1d(x[:, 0][None, None], w, b, stride=3)[0]).abs().max()
    w, b = rnd(H, H // 3, 4), rnd(H)
    ref = Fn.conv1d(x.T[None], w, b, padding=2, groups=3)[0][:, :-1].T
    worst["same_conv"] = (same_conv(x, w, b, 3) - ref).abs().max()
    worst["layer_norm"] = (layer_norm(x, x[0], x[1], 1e-5) - Fn.layer_norm(x, (H,), x[0], x[1], 1e-5)).abs().max()
    worst["gelu"] = (gelu(x) - Fn.gelu(x)).abs().max()
    worst["swish"] = (act("swish", x) - Fn.silu(x)).abs().max()
    # attention with an additive per-head bias and masked keys against F.multi_head_attention_forward (what HF's WavLM calls)
    W = {f"{n}_proj.weight": rnd(H, H) for n in "qkvo"}
    W.update({f"{n}_proj.bias": rnd(H) for n in "qkvo"})
    W = {("out_proj." + k[7:] if k.startswith("o_proj") else k): v for k, v in W.items()}
    bias = rnd(heads, T, T)
    valid = 19
    mine = mha(x, W, "", heads, valid, bias)
    keypad = torch.zeros(1, T, dtype=torch.bool)
    keypad[0, valid:] = True
    lib, _ = Fn.multi_head_attention_forward(x[:, None], x[:, None], x[:, None], H, heads, torch.empty([0]),
        torch.cat((W["q_proj.bias"], W["k_proj.bias"], W["v_proj.bias"])), None, None, False, 0.0,
        W["out_proj.weight"], W["out_proj.bias"], training=False, key_padding_mask=keypad, need_weights=False,
        attn_mask=bias, use_separate_proj_weight=True, q_proj_weight=W["q_proj.weight"], k_proj_weight=W["k_proj.weight"],
        v_proj_weight=W["v_proj.weight"])
    worst["attention+bias"] = (mine - lib[:, 0]).abs().max()
    # Transformer-XL relative scores: the gather above against the pad-and-reshape shift trick
    q, pe = rnd(T, d), rnd(2 * T - 1, d)
    full = q @ pe.T
    i, j = torch.arange(T)[:, None], torch.arange(T)[None, :]
    gathered = full[i, T - 1 - i + j]
    padded = torch.cat([torch.zeros(T, 1, dtype=D), full], -1).view(2 * T, T)[1:].reshape(T, 2 * T - 1)[:, :T]
    worst["relative shift"] = (gathered - padded).abs().max()
    # rotary: the half-split rotation against complex multiplication of (x_i, x_{i+d/2}) pairs by e^{i t θ}
    inv = 1.0 / (10000 ** (torch.arange(0, d, 2, dtype=D) / d))
    t = torch.arange(T, dtype=D)[:, None] * inv[None, :]
    emb = torch.cat([t, t], -1)
    xs = rnd(T, d)
    rot = xs * torch.cos(emb) + torch.cat([-xs[:, d // 2:], xs[:, :d // 2]], -1) * torch.sin(emb)
    z = torch.complex(xs[:, :d // 2], xs[:, d // 2:]) * torch.exp(1j * t)
    worst["rotary"] = (rot - torch.cat([z.real, z.imag], -1)).abs().max()
    # the conformer conv module against nn.Conv1d / nn.GLU / nn.BatchNorm1d (eval) / nn.SiLU
    cfg = {"conv_depthwise_kernel_size": 5, "hidden_act": "swish"}
    Wc = {"m.layer_norm.weight": rnd(H), "m.layer_norm.bias": rnd(H), "m.pointwise_conv1.weight": rnd(2 * H, H, 1),
          "m.depthwise_conv.weight": rnd(H, 1, 5), "m.batch_norm.weight": rnd(H), "m.batch_norm.bias": rnd(H),
          "m.batch_norm.running_mean": rnd(H), "m.batch_norm.running_var": rnd(H).abs() + 0.5, "m.pointwise_conv2.weight": rnd(H, H, 1)}
    bn = torch.nn.BatchNorm1d(H).double().eval()
    bn.weight.data, bn.bias.data = Wc["m.batch_norm.weight"], Wc["m.batch_norm.bias"]
    bn.running_mean, bn.running_var = Wc["m.batch_norm.running_mean"], Wc["m.batch_norm.running_var"]
    y = Fn.layer_norm(x, (H,), Wc["m.layer_norm.weight"], Wc["m.layer_norm.bias"]).T[None]
    y = torch.nn.GLU(dim=1)(Fn.conv1d(y, Wc["m.pointwise_conv1.weight"]))
    y = Fn.silu(bn(Fn.conv1d(y, Wc["m.depthwise_conv.weight"], padding=2, groups=H)))
    y = Fn.conv1d(y, Wc["m.pointwise_conv2.weight"])[0].T
    worst["conv module"] = (conv_module(cfg, Wc, "m.", x) - y).abs().max()
    return {k: float(v) for k, v in worst.items()}


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    out = sys.argv[1]
    try:
        import transformers  # noqa: F401
        raise SystemExit("transformers is importable here; this reference must not be able to lean on it")
    except ImportError:
        pass
    check = self_check()
    print("self-check against torch library operations (max |difference|, float64):", json.dumps(check))
    if max(check.values()) > 1e-10:
        raise SystemExit("self-check failed")
    for case in CASES:
        m = build(case, out)
        print(case["name"], json.dumps(m["inputs"], ensure_ascii=False))
    print("regenerate with: /usr/bin/python3 tools/reference/families.py " + out)


if __name__ == "__main__":
    main()
