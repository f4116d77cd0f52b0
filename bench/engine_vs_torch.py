#!/usr/bin/python3
"""Side-by-side engine benchmark: PyTorch (torchaudio's wav2vec2, the same network) vs wavlens.

Not part of CI. Needs Debian's python3-torch and python3-torchaudio:
    sudo apt-get install python3-torch python3-torchaudio
Run from the repository root:
    /usr/bin/python3 bench/engine_vs_torch.py [--shape base|large|both] [--seconds 10] [--runs 5]

Both sides: 2 threads, eval mode / inference, every layer's output kept, a 10 s input, one warm-up
run then the median of --runs timed runs; peak RSS of the measuring process (PyTorch runs in a
child process so its memory is counted alone).
"""
import argparse
import json
import subprocess
import sys

# Debian's interpreter, where python3-torch is installed (a pyenv python3 on PATH would not see it)
DEBIAN_PYTHON = "/usr/bin/python3"

TORCH_CHILD = r'''
import json, resource, statistics, sys, time
import torch, torchaudio
shape, seconds, runs = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
torch.set_num_threads(2)
model = {"base": torchaudio.models.wav2vec2_base, "large": torchaudio.models.wav2vec2_large_lv60k}[shape]()
model.eval()
x = torch.randn(1, int(16000 * seconds))
with torch.inference_mode():
    model.extract_features(x)              # warm-up; extract_features returns every layer's output
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        model.extract_features(x)
        times.append(time.perf_counter() - t0)
median = statistics.median(times)
print(json.dumps({"seconds_per_forward": median, "seconds_per_audio_second": median / seconds,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "torch": torch.__version__}))
'''


def run_torch(shape, seconds, runs):
    out = subprocess.run([DEBIAN_PYTHON, "-c", TORCH_CHILD, shape, str(seconds), str(runs)],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_wavlens(shape, seconds, runs):
    out = subprocess.run(["./wavlens", "bench", "engine", "--shape", shape, "--seconds", str(seconds),
                          "--runs", str(runs), "--json"], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shape", default="both", choices=["base", "large", "both"])
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    shapes = ["base", "large"] if a.shape == "both" else [a.shape]
    print(f"{'shape':6} {'side':8} {'s/forward':>10} {'s/audio-s':>10} {'peak MB':>8} {'GFLOP/s':>8}")
    for shape in shapes:
        t = run_torch(shape, a.seconds, a.runs)
        w = run_wavlens(shape, a.seconds, a.runs)
        print(f"{shape:6} {'pytorch':8} {t['seconds_per_forward']:10.3f} {t['seconds_per_audio_second']:10.3f} {t['peak_rss_mb']:8.0f} {'':>8}")
        print(f"{shape:6} {'wavlens':8} {w['seconds_per_forward']:10.3f} {w['seconds_per_audio_second']:10.3f} {w['peak_rss_mb']:8.0f} {w['gflops']:8.1f}")
        print(f"{shape:6} speed-up x{t['seconds_per_forward'] / w['seconds_per_forward']:.2f}, "
              f"memory ratio {w['peak_rss_mb'] / t['peak_rss_mb']:.2f} (wavlens / pytorch)")


if __name__ == "__main__":
    main()
