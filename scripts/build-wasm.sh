#!/usr/bin/env bash
# Builds the WebAssembly SIMD kernels (src/kernels/wasm/c/*.c) with clang-16 + lld-16 into four modules: plain
# SIMD128 and relaxed SIMD, each for a private memory and for a shared memory (threads: atomics, imported shared
# memory, exported stack pointer so each worker gets its own stack); writes them gzip-compressed, base64-encoded to
# src/kernels/wasm/binary.generated.ts.
# Deterministic: the same sources and compiler give the same bytes.
# Usage: scripts/build-wasm.sh [--check]   (--check: rebuild into a temporary file and compare, exit 1 if stale)
set -euo pipefail
cd "$(dirname "$0")/.."

CLANG="${CLANG:-clang-16}"
SRC=src/kernels/wasm/c
OUT_TS=src/kernels/wasm/binary.generated.ts
WORK=dist/wasm
mkdir -p "$WORK"

command -v "$CLANG" >/dev/null || { echo "build-wasm: $CLANG not found (apt-get install clang-16 lld-16)" >&2; exit 2; }

CFLAGS=(--target=wasm32 -nostdlib -O3 -msimd128 -mbulk-memory -mnontrapping-fptoint -msign-ext
  -ffreestanding -fno-builtin -g0 -std=c11 -Wall -Wextra -Werror -ffile-prefix-map="$PWD"=.)
LDFLAGS=(-Wl,--no-entry -Wl,--export-dynamic -Wl,--import-memory -Wl,--stack-first -Wl,-z,stack-size=65536
  -Wl,--export=__heap_base -Wl,--strip-all)

mapfile -t SOURCES < <(cd "$SRC" && LC_ALL=C ls -1 -- *.c)

build() { # name, extra flags...
  local name=$1; shift
  local srcs=()
  for s in "${SOURCES[@]}"; do srcs+=("$SRC/$s"); done
  "$CLANG" "${CFLAGS[@]}" "$@" "${LDFLAGS[@]}" -o "$WORK/$name.wasm" "${srcs[@]}"
}

# Shared memory of at most 1 GiB (16384 pages).
MT=(-matomics -Wl,--shared-memory -Wl,--max-memory=1073741824 -Wl,--export=__stack_pointer)
build kernels_simd128
build kernels_relaxed -mrelaxed-simd
build kernels_simd128_mt "${MT[@]}"
build kernels_relaxed_mt -mrelaxed-simd "${MT[@]}"

target="$OUT_TS"
[[ "${1:-}" == "--check" ]] && target="$WORK/binary.generated.check.ts"
{
  echo "// GENERATED FILE, do not edit. Produced by scripts/build-wasm.sh from src/kernels/wasm/c/*.c"
  echo "// ($("$CLANG" --version | head -1 | sed 's/ (.*//'), wasm32, -O3 -msimd128 [-mrelaxed-simd])."
  echo
  echo "/** The kernels built for plain WebAssembly SIMD128 (gzip, base64). */"
  echo "export const KERNELS_SIMD128_BASE64 ="
  echo "  '$(gzip -9 -n -c "$WORK/kernels_simd128.wasm" | base64 -w0)';"
  echo
  echo "/** The kernels built with relaxed SIMD (FMA, relaxed dot products) (gzip, base64). */"
  echo "export const KERNELS_RELAXED_BASE64 ="
  echo "  '$(gzip -9 -n -c "$WORK/kernels_relaxed.wasm" | base64 -w0)';"
  echo
  echo "/** SIMD128 for a shared memory (threads) (gzip, base64). */"
  echo "export const KERNELS_SIMD128_MT_BASE64 ="
  echo "  '$(gzip -9 -n -c "$WORK/kernels_simd128_mt.wasm" | base64 -w0)';"
  echo
  echo "/** Relaxed SIMD for a shared memory (threads) (gzip, base64). */"
  echo "export const KERNELS_RELAXED_MT_BASE64 ="
  echo "  '$(gzip -9 -n -c "$WORK/kernels_relaxed_mt.wasm" | base64 -w0)';"
} >"$target"

if [[ "${1:-}" == "--check" ]]; then
  if cmp -s "$target" "$OUT_TS"; then echo "build-wasm: $OUT_TS is up to date"; else
    echo "build-wasm: $OUT_TS is stale, run npm run build:wasm" >&2; exit 1; fi
else
  echo "build-wasm: wrote $OUT_TS ($(stat -c %s "$WORK"/kernels_*.wasm | paste -sd+) bytes)"
fi
