import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { readTorchStateDict, toFloat32 } from '../../src/formats/pytorch/index.js';
import { buildMobilenet, parseVariant, type ModelSpec } from '../../src/models/builders/index.js';
import { Session } from '../../src/runtime/index.js';
import { projectRoot } from '../helpers/data.js';
import { mulberry32 } from '../helpers/random.js';

/** Deterministic input in [-1, 1). */
function randomInput(n: number, seed: number): Float32Array {
  const next = mulberry32(seed);
  return Float32Array.from({ length: n }, () => next() * 2 - 1);
}

/** A little-endian float32 file. */
function readF32(path: string): Float32Array {
  const b = readFileSync(path);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

describe('built graphs run', () => {
  const variants = [
    'v1-0.5-96',
    'v2-0.35-96',
    'v2-1.0-96-tv',
    'v3-large-1.0-96',
    'v3-large-0.75-96-tv',
    'v3-small-1.0-96-tv',
    'v3-small-minimal-1.0-96',
    'v3-large-minimal-0.5-64',
  ];
  for (const name of variants) {
    test(name, () => {
      const spec = parseVariant(name);
      const graph = buildMobilenet(spec);
      const [out] = new Session(graph).run([randomInput(spec.resolution * spec.resolution * 3, 7)]);
      const classes = spec.layout === 'slim' ? 1001 : 1000;
      assert.deepEqual(graph.tensors[graph.outputs[0]!]!.shape, [1, classes]);
      assert.equal(out!.length, classes);
      assert.ok((out as Float32Array).every(Number.isFinite), 'outputs are finite');
      if (spec.layout === 'slim') {
        const sum = (out as Float32Array).reduce((a, b) => a + b, 0);
        assert.ok(Math.abs(sum - 1) < 1e-4, `softmax sums to ${sum}`);
      } else {
        assert.ok(new Set(Array.from(out as Float32Array)).size > 1, 'logits are not all equal');
      }
    });
  }
});

describe('torchvision layout computes what torchvision computes (fixtures written by PyTorch)', () => {
  const dir = join(projectRoot, 'test', 'fixtures', 'torch');
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as {
    num_classes: number;
    resolution: number;
    inputs: { file: string; shape: [number, number, number, number] };
    models: { name: string; family: 'v2' | 'v3-large' | 'v3-small'; width_mult: number; files: { zip: string }; logits: { file: string; shape: [number, number] } }[];
  };
  const [batch, channels, height, width] = index.inputs.shape;
  const nchw = readF32(join(dir, index.inputs.file));
  for (const m of index.models) {
    test(m.name, () => {
      const sd = readTorchStateDict(readFileSync(join(dir, m.files.zip)), m.files.zip);
      const spec: ModelSpec = { family: m.family, alpha: m.width_mult, resolution: index.resolution, minimal: false, layout: 'torchvision', numClasses: index.num_classes };
      const graph = buildMobilenet(spec, (name, shape) => {
        const t = sd.get(name);
        assert.ok(t, `state_dict has ${name}`);
        assert.deepEqual(t.shape, shape, name);
        return toFloat32(t);
      });
      const session = new Session(graph);
      const expected = readF32(join(dir, m.logits.file));
      const classes = m.logits.shape[1];
      for (let b = 0; b < batch; b++) {
        const nhwc = new Float32Array(height * width * channels);
        for (let c = 0; c < channels; c++) {
          for (let i = 0; i < height * width; i++) nhwc[i * channels + c] = nchw[(b * channels + c) * height * width + i]!;
        }
        const got = session.run([nhwc])[0] as Float32Array;
        const want = expected.subarray(b * classes, (b + 1) * classes);
        const scale = Math.max(...want.map(Math.abs));
        for (let k = 0; k < classes; k++) {
          assert.ok(Math.abs(got[k]! - want[k]!) <= 1e-4 * scale + 1e-5, `sample ${b} logit ${k}: ${got[k]} vs torch ${want[k]}`);
        }
      }
    });
  }
});
