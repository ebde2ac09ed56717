#!/usr/bin/env bash
# reel starts without OpenImageIO: only `reel export watchtower`, when it makes a preview, loads
# the reel_preview module and with it OpenImageIO and the ~250 libraries it brings (OpenCV, GDAL,
# FFmpeg, GStreamer, ...). Linked into reel, they cost every command about 0.3 s of CPU in the
# dynamic loader before main (benchmarks/startup/run.sh measures it). Seen in the dynamic loader's
# own log of the files it loads (LD_DEBUG=files), on real commands in a real workspace:
#   - --version, tree, sync, run and verify load libcurl (the log works) and not OpenImageIO;
#   - export watchtower loads reel_preview.so and OpenImageIO, and writes 150x100 PNG previews;
#   - a reel binary copied elsewhere, beside a reel_preview.so that is not a shared object, skips
#     it and still finds the build's module.
# usage: startup.sh REEL_BINARY
source "$(dirname "$0")/lib.sh"

# logged NAME CMD...: runs CMD (it must succeed) with the dynamic loader logging the files it
# loads into $WORK/ld-NAME.PID (one per process).
logged() {
  local name=$1
  shift
  rm -f "$WORK/ld-$name".*
  LD_DEBUG=files LD_DEBUG_OUTPUT="$WORK/ld-$name" "$@" > "$WORK/out" 2> "$WORK/err" ||
    { cat "$WORK/out" "$WORK/err"; fail "'$*' failed"; }
  ls "$WORK/ld-$name".* > /dev/null 2>&1 || fail "no dynamic loader log for '$*'"
}
loaded() { grep -q "file=[^ ]*$2" "$WORK/ld-$1".*; }  # loaded NAME LIBRARY

setup_kitchen
# A package that names a project and holds an image, so the export makes previews.
mkdir -p staging/outputs/sq010/textures
cp "$KITCHEN/Chair/1.2.4/textures/paint.png" staging/outputs/sq010/textures/
printf '[asset]\nname = "sq010"\nversion = "1.0.0"\ntype = "sequence"\n\n[metadata]\nproject = "Kitchen"\nsequence = "sq010"\nfps = 24\n' \
  > staging/outputs/sq010/asset.toml
"$REEL" -q -C staging publish sq010 --allow-dirty
"$REEL" -q -C ws add KitchenSet

for step in version tree sync run verify; do
  case $step in
    version) logged $step "$REEL" --version ;;
    tree) logged $step "$REEL" -C ws tree ;;
    sync) logged $step "$REEL" -C ws sync ;;
    run) logged $step "$REEL" -C ws run -- true ;;
    verify) logged $step "$REEL" -C ws verify ;;
  esac
  loaded $step libcurl || fail "reel $step: the loader's log does not show libcurl (is LD_DEBUG honoured?)"
  if loaded $step OpenImageIO || loaded $step reel_preview; then
    grep -h "file=[^ ]*\(OpenImageIO\|reel_preview\)" "$WORK/ld-$step".* | head -3
    fail "reel $step loaded OpenImageIO"
  fi
done

logged export "$REEL" export watchtower --repo repos/blessed -o "$WORK/site"
loaded export reel_preview.so || fail "export watchtower did not load reel_preview.so"
loaded export libOpenImageIO || fail "export watchtower did not load OpenImageIO"
previews=$(find site -name '*.png' | wc -l)
[ "$previews" -ge 1 ] || fail "export watchtower wrote no preview"
for png in $(find site -name '*.png'); do
  # A PNG's IHDR: width and height, big-endian, at bytes 16-23.
  size=$(od -An -tu1 -j16 -N8 "$png" | awk '{print $3*256+$4 "x" $7*256+$8}')
  [ "$size" = 150x100 ] || fail "$png is $size, not 150x100"
done

# A copied binary beside a broken module: that candidate is skipped, the build's module is used.
mkdir bin
cp "$REEL" bin/reel
echo "not a shared object" > bin/reel_preview.so
logged copied bin/reel export watchtower --repo repos/blessed -o "$WORK/site2" --force
loaded copied libOpenImageIO || fail "the copied reel did not load OpenImageIO"
diff -r site site2 || fail "the copied reel's export differs"
echo "no command but export watchtower loads OpenImageIO; $previews previews made"
