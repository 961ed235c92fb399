// How the engine's outputs are held against the TFLite interpreter's.
import assert from 'node:assert/strict';
import type { TypedArray } from '../../src/graph/index.js';

/**
 * Asserts that `got` reproduces the interpreter's `want`: float32 outputs within 1e-5 of the largest |output|,
 * other outputs of the same type and equal element for element. `what` names the case in failure messages.
 */
export function assertMatchesInterpreter(got: TypedArray | undefined, want: Float32Array | Uint8Array | Int8Array | Int32Array, what: string): void {
  assert.ok(got, `${what}: no output`);
  assert.equal(got.length, want.length, `${what}: output length`);
  if (want instanceof Float32Array) {
    let maxAbs = 0;
    let maxDiff = 0;
    for (let i = 0; i < want.length; i++) {
      maxAbs = Math.max(maxAbs, Math.abs(want[i]!));
      maxDiff = Math.max(maxDiff, Math.abs(Number(got[i]) - want[i]!));
    }
    assert.ok(maxDiff <= 1e-5 * maxAbs, `${what}: max difference ${maxDiff} vs max |output| ${maxAbs}`);
  } else {
    assert.equal(got.constructor, want.constructor, `${what}: output type`);
    let differing = 0;
    for (let i = 0; i < want.length; i++) if (want[i] !== got[i]) differing++;
    assert.equal(differing, 0, `${what}: ${differing} of ${want.length} output values differ`);
  }
}

/** The largest |got − want| over the largest |want| (the arrays must have the same length). */
export function maxRelDiff(got: ArrayLike<number>, want: ArrayLike<number>): number {
  assert.equal(got.length, want.length, 'output length');
  let md = 0;
  let mx = 0;
  for (let i = 0; i < want.length; i++) {
    md = Math.max(md, Math.abs(got[i]! - want[i]!));
    mx = Math.max(mx, Math.abs(want[i]!));
  }
  return md / mx;
}
