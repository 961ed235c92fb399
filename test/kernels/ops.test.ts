import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { DType, Graph, Node, Tensor, TypedArray } from '../../src/graph/index.js';
import { allocate } from '../../src/graph/index.js';
import { kernels } from '../../src/kernels/registry.js';
import { Session } from '../../src/runtime/index.js';
import { projectRoot } from '../helpers/data.js';

interface CaseTensor {
  dtype: DType;
  shape: number[];
  /** [scale, zeroPoint] or [[scales], [zeroPoints], axis] */
  q?: [number, number] | [number[], number[], number];
  data?: number[];
}
interface OpCase {
  why: string;
  op: Node['op'];
  attrs: Record<string, unknown>;
  tensors: CaseTensor[];
  nodeInputs: number[];
  feed: number[][];
  expected: number[];
  tol?: number;
}

function fill(dtype: DType, values: number[]): TypedArray {
  const a = allocate(dtype, values.length);
  values.forEach((v, i) => ((a as Float32Array)[i] = v));
  return a;
}

/** A one-node graph: the listed node inputs, the last tensor as output. */
function caseGraph(c: OpCase): Graph {
  const tensors: Tensor[] = c.tensors.map((t, i) => {
    const tensor: Tensor = { name: `t${i}`, dtype: t.dtype, shape: t.shape };
    if (t.q) {
      tensor.quant = Array.isArray(t.q[0])
        ? { scale: t.q[0], zeroPoint: t.q[1] as number[], axis: t.q[2] as number }
        : { scale: [t.q[0]], zeroPoint: [t.q[1] as number], axis: 0 };
    }
    if (t.data) tensor.data = fill(t.dtype, t.data);
    return tensor;
  });
  const out = tensors.length - 1;
  const node = { op: c.op, attrs: c.attrs, inputs: c.nodeInputs, outputs: [out], name: `case_${c.op}` } as unknown as Node;
  const inputs = c.nodeInputs.filter((i) => i >= 0 && !tensors[i]!.data);
  return { tensors, nodes: [node], inputs, outputs: [out], meta: { format: 'test' } };
}

const cases = JSON.parse(readFileSync(join(projectRoot, 'test', 'kernels', 'cases', 'ops.json'), 'utf8')) as OpCase[];

for (const c of cases) {
  test(`${c.op}: ${c.why}`, () => {
    const g = caseGraph(c);
    const s = new Session(g, { variant: 'ref' });
    const feeds = g.inputs.map((ti, k) => fill(g.tensors[ti]!.dtype, c.feed[k]!));
    const [got] = s.run(feeds);
    const values = Array.from(got as Float32Array);
    if (c.tol) values.forEach((v, i) => assert.ok(Math.abs(v - c.expected[i]!) <= c.tol!, `${i}: ${v} vs ${c.expected[i]}`));
    else assert.deepEqual(values, c.expected);
  });
}

test('every registered kernel has a unique name of the form op_dtype_variant', () => {
  const names = new Set<string>();
  for (const k of kernels) {
    assert.ok(!names.has(k.name), `duplicate ${k.name}`);
    names.add(k.name);
    assert.ok(k.name.endsWith(`_${k.dtype}_${k.variant}`), k.name);
  }
});
