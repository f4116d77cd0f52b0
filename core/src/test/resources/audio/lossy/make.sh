#!/usr/bin/env bash
# Makes the lossy-codec fixtures of LossyCodecsTest: 0.7 s of espeak-ng speech (a second voice on the
# right channel for the stereo files) encoded by Debian's lame 3.100, oggenc 1.4.2 (vorbis-tools),
# opusenc 0.2 (opus-tools, libopus 1.3.1) and ffmpeg 7 (libopus / libvorbis into WebM / Matroska),
# and each one decoded by ffmpeg into NAME.ref.flac (16-bit, every channel, the file's own rate):
# the independent reference the JVM decoders are compared with. Run from this folder:
#   apt-get install espeak-ng sox lame vorbis-tools opus-tools ffmpeg && bash make.sh
set -euo pipefail
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
espeak-ng -v fi -s 190 -w "$tmp/left.wav" "kaksi kolme neljä"          # 22.05 kHz mono
espeak-ng -v fi+f3 -s 210 -p 70 -w "$tmp/right.wav" "yksi kaksi kolme"
sox "$tmp/left.wav" "$tmp/mono.wav" trim 0 0.7
sox -M "$tmp/left.wav" "$tmp/right.wav" "$tmp/stereo.wav" trim 0 0.7
for r in 8000 11025 22050 44100 48000; do
  sox "$tmp/mono.wav" -r $r "$tmp/mono$r.wav"
  sox "$tmp/stereo.wav" -r $r "$tmp/stereo$r.wav"
done
q="--quiet"
lame $q -b 64 "$tmp/mono44100.wav" mp3_cbr_mono_44k.mp3                 # MPEG-1, Info + LAME tag (delay/padding)
lame $q -V 5 "$tmp/stereo44100.wav" mp3_vbr_stereo_44k.mp3              # MPEG-1 VBR, Xing + LAME tag
lame $q -b 96 -t --resample 48 "$tmp/stereo48000.wav" mp3_cbr_stereo_48k_notag.mp3   # no Xing/LAME frame: CBR duration from the frame size
lame $q -b 32 "$tmp/mono22050.wav" mp3_mpeg2_mono_22k.mp3               # MPEG-2 (576 samples a frame)
lame $q -b 16 "$tmp/mono11025.wav" mp3_mpeg25_mono_11k.mp3              # MPEG-2.5
lame $q -b 64 --tt "kaksi kolme" --ta wavlens --add-id3v2 "$tmp/mono22050.wav" mp3_id3_mono_22k.mp3  # ID3v2 tag in front; MPEG-2 with Info + LAME tags
oggenc -Q -q 2 "$tmp/mono22050.wav" -o vorbis_mono_22k.ogg
oggenc -Q -q 4 "$tmp/stereo44100.wav" -o vorbis_stereo_44k.ogg
opusenc --quiet --bitrate 24 "$tmp/mono22050.wav" opus_mono.opus       # pre-skip 312, input rate 22050 in OpusHead
opusenc --quiet --bitrate 48 "$tmp/stereo48000.wav" opus_stereo.opus
ff="ffmpeg -hide_banner -loglevel error -y"
$ff -i "$tmp/stereo48000.wav" -c:a libopus -b:a 48k webm_opus_stereo.webm  # sized clusters, Duration, DiscardPadding
$ff -i "$tmp/mono48000.wav" -c:a libopus -b:a 24k -f webm - > webm_opus_mono_live.webm  # unseekable output: unknown sizes, no Duration, as browsers record
$ff -i "$tmp/stereo44100.wav" -c:a libvorbis -q:a 3 mka_vorbis_stereo_44k.mka
for f in *.mp3 *.ogg *.opus *.webm *.mka; do
  $ff -i "$f" -c:a flac -sample_fmt s16 "${f%.*}.ref.flac"
done
# An AAC file in MP4 and AAC in Matroska: formats that are recognised and refused by name.
$ff -i "$tmp/mono22050.wav" -c:a aac -b:a 32k aac_mono.m4a
$ff -i "$tmp/mono22050.wav" -c:a aac -b:a 32k aac_mono.mka
# Durations as ffprobe measures them, for the header-duration test.
for f in *.mp3 *.ogg *.opus *.webm *.mka; do
  printf '%s\t%s\n' "$f" "$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$f")"
done > ffprobe-durations.tsv
