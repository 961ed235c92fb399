// Seeded random test inputs, from the library's own generator so that every test draws the same way.
import { mulberry32 } from '../../src/graph/random.js';

export { mulberry32 };

/** `n` deterministic pseudo-random bytes from `seed`. */
export function randomBytes(n: number, seed: number): Uint8Array {
  const rnd = mulberry32(seed);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(rnd() * 256);
  return out;
}
