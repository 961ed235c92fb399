import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { toFloat32 } from '../../src/formats/named_tensor.js';
import { readTorchStateDict } from '../../src/formats/pytorch/index.js';
import { buildMobilenet, type Family } from '../../src/models/builders/index.js';
import { Session } from '../../src/runtime/index.js';
import { projectRoot } from '../helpers/data.js';

// Logits of torchvision MobileNets (random weights, random BN statistics; scripts/torch_goldens.py)
// against our builders fed with the same state dict read by our own reader.
const dir = join(projectRoot, 'test', 'fixtures', 'torch');
const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as {
  resolution: number;
  num_classes: number;
  inputs: { file: string; shape: number[] };
  models: { name: string; family: Family; width_mult: number; files: { zip: string; legacy?: string }; logits: { file: string; shape: number[] } }[];
};

function f32(file: string): Float32Array {
  const b = readFileSync(join(dir, file));
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
}

/** NCHW image `n` of the batch as NHWC. */
function nhwc(x: Float32Array, n: number, c: number, h: number, w: number): Float32Array {
  const out = new Float32Array(h * w * c);
  const base = n * c * h * w;
  for (let ch = 0; ch < c; ch++) for (let i = 0; i < h * w; i++) out[i * c + ch] = x[base + ch * h * w + i];
  return out;
}

describe('builders + PyTorch reader reproduce torchvision logits', () => {
  const [batch, c, h, w] = index.inputs.shape;
  const inputs = f32(index.inputs.file);
  for (const m of index.models) {
    for (const file of Object.values(m.files)) {
      it(`${m.name} (${file}) matches torch to 1e-4 relative`, () => {
        const sd = readTorchStateDict(new Uint8Array(readFileSync(join(dir, file))), file);
        const requested = new Set<string>();
        const graph = buildMobilenet(
          { family: m.family, alpha: m.width_mult, resolution: index.resolution, minimal: false, layout: 'torchvision', numClasses: index.num_classes },
          (name, shape) => {
            const t = sd.get(name);
            assert.ok(t, `builder asked for "${name}", not in the state dict`);
            assert.deepEqual(t.shape, shape, `shape of ${name}`);
            requested.add(name);
            return toFloat32(t);
          },
        );
        const unused = [...sd.keys()].filter((k) => !requested.has(k) && !k.endsWith('num_batches_tracked'));
        assert.deepEqual(unused, [], 'state dict entries the builder never used');
        const session = new Session(graph);
        const ref = f32(m.logits.file);
        const k = m.logits.shape[1];
        for (let n = 0; n < batch; n++) {
          const [y] = session.run([nhwc(inputs, n, c, h, w)]) as Float32Array[];
          const want = ref.subarray(n * k, (n + 1) * k);
          let maxRef = 0;
          let maxDiff = 0;
          for (let i = 0; i < k; i++) {
            maxRef = Math.max(maxRef, Math.abs(want[i]));
            maxDiff = Math.max(maxDiff, Math.abs(want[i] - y[i]));
          }
          assert.equal(y.length, k);
          if (process.env.SHOW_FIGURES) console.log(`${m.name} ${file} image ${n}: max diff ${maxDiff.toExponential(2)}, rel ${(maxDiff / maxRef).toExponential(2)}`);
          assert.ok(maxDiff <= 1e-4 * maxRef, `${m.name} image ${n}: max |diff| ${maxDiff} vs max |logit| ${maxRef}`);
        }
      });
    }
  }
});
