import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { UnsupportedError } from '../../src/errors.js';
import { writeOnnx } from '../../src/formats/onnx/writer.js';
import { encodeVarint } from '../../src/formats/onnx/proto.js';
import type { Graph } from '../../src/graph/index.js';
import { buildMobilenet, parseVariant } from '../../src/models/builders/index.js';
import { Session } from '../../src/runtime/index.js';
import { loadGraph } from '../../src/tasks/load.js';
import { dataPath, sharedTflite } from '../helpers/data.js';

// Graphs exported to ONNX and run by onnxruntime-node (native, independent of our kernels) must give
// the logits our engine gives for the same graph and the same real photo.

interface OrtTensor {
  data: Float32Array;
  dims: readonly number[];
}
interface Ort {
  Tensor: new (type: 'float32', data: Float32Array, dims: number[]) => OrtTensor;
  InferenceSession: {
    create(bytes: Uint8Array, o: object): Promise<{ inputNames: string[]; outputNames: string[]; run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>> }>;
  };
}
const ort = createRequire(import.meta.url)('onnxruntime-node') as Ort;

async function photo(file: string, size: number): Promise<Float32Array> {
  const raw = await sharp(dataPath('images', file)).removeAlpha().resize(size, size, { fit: 'fill' }).raw().toBuffer();
  return Float32Array.from(raw, (v) => v / 127.5 - 1);
}

/** The graph with its final SOFTMAX removed, so logits are compared rather than saturated probabilities. */
function logitsOf(g: Graph): Graph {
  const out = g.outputs[0]!;
  const i = g.nodes.findIndex((n) => n.op === 'SOFTMAX' && n.outputs[0] === out);
  if (i < 0) return g;
  return { ...g, nodes: g.nodes.filter((_, k) => k !== i), outputs: [g.nodes[i]!.inputs[0]!] };
}

async function compare(graph: Graph, image: string): Promise<void> {
  const g = logitsOf(graph);
  const shape = g.tensors[g.inputs[0]!]!.shape;
  const x = await photo(image, shape[1]!);
  const [ours] = new Session(g).run([x]) as Float32Array[];
  const session = await ort.InferenceSession.create(writeOnnx(g), { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const res = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', x, shape) });
  const theirs = res[session.outputNames[0]!]!;
  assert.deepEqual([...theirs.dims], g.tensors[g.outputs[0]!]!.shape);
  let md = 0;
  let mx = 0;
  let argA = 0;
  let argB = 0;
  for (let i = 0; i < ours!.length; i++) {
    md = Math.max(md, Math.abs(ours![i]! - theirs.data[i]!));
    mx = Math.max(mx, Math.abs(theirs.data[i]!));
    if (ours![i]! > ours![argA]!) argA = i;
    if (theirs.data[i]! > theirs.data[argB]!) argB = i;
  }
  assert.ok(mx > 0, 'reference output is all zeros');
  assert.ok(md / mx < 1e-4, `max |ours - onnxruntime| / max |onnxruntime| = ${(md / mx).toExponential(2)}`);
  assert.equal(argA, argB);
}

describe('ONNX writer, checked by onnxruntime-node', () => {
  it('builder MobileNetV2 1.0 224', async () => {
    await compare(buildMobilenet(parseVariant('v2-1.0-224')), 'dog.jpg');
  });
  it('builder MobileNetV1 1.0 224', async () => {
    await compare(buildMobilenet(parseVariant('v1-1.0-224')), 'parrot.jpg');
  });
  it('builder MobileNetV3-small 1.0 224 (hard-swish, squeeze-excite)', async () => {
    await compare(buildMobilenet(parseVariant('v3-small-1.0-224')), 'owl.jpg');
  });
  it('shared float MobileNetV1 0.25 TFLite: logits and the top class', async () => {
    const { graph } = await loadGraph(sharedTflite.v1_025_float);
    await compare(graph, 'hot_dog.jpg');
  });
  it('refuses a quantized graph, naming the tensor', async () => {
    const { graph } = await loadGraph(sharedTflite.v2_uint8);
    assert.throws(() => writeOnnx(graph), (e: unknown) => e instanceof UnsupportedError && /uint8/.test(e.message) && /only float32/.test(e.message));
  });
  it('encodes varints as protobuf does', () => {
    assert.deepEqual([...encodeVarint(1)], [1]);
    assert.deepEqual([...encodeVarint(300)], [0xac, 0x02]);
    assert.deepEqual([...encodeVarint(-1)], [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
  });
});
