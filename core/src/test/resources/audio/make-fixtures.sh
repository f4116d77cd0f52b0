#!/usr/bin/env bash
# Regenerates the FLAC test fixtures. Run once by hand; the outputs are committed.
# Each FLAC file comes with <name>.ref.wav = `flac --decode` of it: the independent reference
# the Java decoder must reproduce bit-exactly. Needs Debian's sox (14.4.2) and flac (1.4.2).
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# A speech-like mono source: two tones, a chirp and a little noise (all well below full scale).
speechlike() { # rate seconds out
  sox -D -n -r "$1" -c 1 "$tmp/t1.wav" synth "$2" sine 220 synth "$2" sine amod 587 50 vol 0.3
  sox -D -n -r "$1" -c 1 "$tmp/t2.wav" synth "$2" sine 300-3000 vol 0.25
  sox -D -n -r "$1" -c 1 "$tmp/t3.wav" synth "$2" pinknoise vol 0.05
  sox -D -m "$tmp/t1.wav" "$tmp/t2.wav" "$tmp/t3.wav" "$3"
}

# mono, 16 bit, 44.1 kHz, default LPC encoder at the highest setting
speechlike 44100 0.5 "$tmp/m.wav"
sox -D "$tmp/m.wav" -b 16 "$tmp/mono16_44k.wav"
flac -s -f -8 "$tmp/mono16_44k.wav" -o mono16_44k.flac

# stereo, 16 bit, 44.1 kHz: four segments that each favour one channel assignment under -8's
# exhaustive stereo search (s = signal, n = small unrelated noise, side = L - R, mid = (L + R) / 2):
# L=s, R=s+n (left/side); L=s+n, R=s (right/side); L=s+n, R=s-n (mid/side); L=s, R=noise (independent)
speechlike 44100 0.12 "$tmp/s.wav"
sox -D -n -r 44100 -c 1 "$tmp/n.wav" synth 0.12 whitenoise vol 0.01
sox -D -n -r 44100 -c 1 "$tmp/loud.wav" synth 0.12 whitenoise vol 0.3
sox -D -m -v 1 "$tmp/s.wav" -v 1 "$tmp/n.wav" "$tmp/s_plus_n.wav"
sox -D -m -v 1 "$tmp/s.wav" -v -1 "$tmp/n.wav" "$tmp/s_minus_n.wav"
sox -D -M "$tmp/s.wav" "$tmp/s_plus_n.wav" "$tmp/seg1.wav"
sox -D -M "$tmp/s_plus_n.wav" "$tmp/s.wav" "$tmp/seg2.wav"
sox -D -M "$tmp/s_plus_n.wav" "$tmp/s_minus_n.wav" "$tmp/seg3.wav"
sox -D -M "$tmp/s.wav" "$tmp/loud.wav" "$tmp/seg4.wav"
sox -D "$tmp/seg1.wav" "$tmp/seg2.wav" "$tmp/seg3.wav" "$tmp/seg4.wav" -b 16 "$tmp/stereo16_44k.wav"
flac -s -f -8 --blocksize=1024 "$tmp/stereo16_44k.wav" -o stereo16_44k.flac

# mono, 8 bit, 22.05 kHz, fixed predictors only (-0), odd block size coded in 8 bits (250)
speechlike 22050 0.6 "$tmp/m8.wav"
sox -D "$tmp/m8.wav" -b 8 "$tmp/mono8_22k.wav"
flac -s -f -0 --blocksize=250 "$tmp/mono8_22k.wav" -o mono8_22k.flac

# stereo, 24 bit, 22.05 kHz, odd block size coded in 16 bits (1000), high-order LPC
speechlike 22050 0.25 "$tmp/a.wav"
sox -D -n -r 22050 -c 1 "$tmp/b.wav" synth 0.25 brownnoise vol 0.2
sox -D -M "$tmp/a.wav" "$tmp/b.wav" -b 24 "$tmp/stereo24_22k.wav"
flac -s -f -8 --blocksize=1000 "$tmp/stereo24_22k.wav" -o stereo24_22k.flac

# mono 16 bit with the low 8 bits always zero (wasted bits), 0.6 s of silence in the middle (constant
# subframes) and a burst of full-scale white noise (verbatim subframes), 16 kHz
sox -D -n -r 16000 -c 1 "$tmp/w1.wav" synth 0.3 sine 440 vol 0.5
sox -D -n -r 16000 -c 1 "$tmp/w2.wav" trim 0 0.6
sox -D -n -r 16000 -c 1 "$tmp/w3.wav" synth 0.2 whitenoise vol 0.99
sox -D "$tmp/w1.wav" "$tmp/w2.wav" "$tmp/w3.wav" -b 8 "$tmp/w8.wav"
sox -D "$tmp/w8.wav" -b 16 "$tmp/wasted16_16k.wav"
flac -s -f -5 "$tmp/wasted16_16k.wav" -o wasted16_16k.flac

# stereo 32 bit, 16 kHz (flac >= 1.4 writes 32-bit streams; the side channel needs 33 bits)
sox -D -n -r 16000 -c 1 "$tmp/h1.wav" synth 0.15 sine 1000 vol 0.9
sox -D "$tmp/h1.wav" -c 2 -b 32 "$tmp/stereo32_16k.wav" remix 1 1v0.95
flac -s -f -8 "$tmp/stereo32_16k.wav" -o stereo32_16k.flac

# G.711: all 256 codes once, as µ-law and A-law WAVs, with sox's 16-bit expansion as the reference
for i in $(seq 0 255); do printf "\\x$(printf %02x "$i")"; done > "$tmp/codes.raw"
sox -t raw -r 8000 -e u-law -b 8 -c 1 "$tmp/codes.raw" mulaw_8k.wav
sox -t raw -r 8000 -e a-law -b 8 -c 1 "$tmp/codes.raw" alaw_8k.wav
sox -D mulaw_8k.wav -e signed-integer -b 16 mulaw_8k.ref.wav
sox -D alaw_8k.wav -e signed-integer -b 16 alaw_8k.ref.wav

# Resampling reference: tones and a chirp below 6 kHz at 44.1 kHz (float), and sox's
# high-quality (default) rate conversion of it to 16 kHz (float, no dither).
sox -D -n -r 44100 -c 1 "$tmp/r1.wav" synth 0.4 sine 440 vol 0.3
sox -D -n -r 44100 -c 1 "$tmp/r2.wav" synth 0.4 sine 200-6000 vol 0.3
sox -D -n -r 44100 -c 1 "$tmp/r3.wav" synth 0.4 sine 5000 vol 0.2
sox -D -m -v 1 "$tmp/r1.wav" -v 1 "$tmp/r2.wav" -v 1 "$tmp/r3.wav" -e floating-point -b 32 resample_in_44k.wav
sox -D resample_in_44k.wav -e floating-point -b 32 -r 16000 resample_sox_16k.wav

for f in *.flac; do flac -s -f --decode "$f" -o "${f%.flac}.ref.wav"; done
ls -l
