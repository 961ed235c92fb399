import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ModelFormatError } from '../../src/errors.js';
import type { Graph } from '../../src/graph/graph.js';
import { validateGraph } from '../../src/graph/validate.js';

/** x -> CONV_2D(w, b) -> y -> RELU -> z, with a per-channel int8 filter. */
function small(): Graph {
  return {
    tensors: [
      { name: 'x', dtype: 'int8', shape: [1, 4, 4, 2], quant: { scale: [0.1], zeroPoint: [0], axis: 0 } },
      { name: 'w', dtype: 'int8', shape: [3, 1, 1, 2], data: new Int8Array(6), quant: { scale: [1, 2, 3], zeroPoint: [0, 0, 0], axis: 0 } },
      { name: 'b', dtype: 'int32', shape: [3], data: new Int32Array(3) },
      { name: 'y', dtype: 'int8', shape: [1, 4, 4, 3] },
      { name: 'z', dtype: 'int8', shape: [1, 4, 4, 3] },
    ],
    nodes: [
      {
        op: 'CONV_2D',
        attrs: { strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, padding: 'same', activation: 'none' },
        inputs: [0, 1, 2],
        outputs: [3],
      },
      { op: 'RELU', attrs: {}, inputs: [3], outputs: [4] },
    ],
    inputs: [0],
    outputs: [4],
    meta: { format: 'test' },
  };
}

function rejects(g: Graph, pattern: RegExp): void {
  assert.throws(() => validateGraph(g), (e: unknown) => e instanceof ModelFormatError && pattern.test(e.message));
}

describe('validateGraph', () => {
  test('accepts a well-formed graph, and an absent optional bias', () => {
    validateGraph(small());
    const g = small();
    g.nodes[0]!.inputs[2] = -1;
    validateGraph(g);
  });

  test('indices out of range', () => {
    let g = small();
    g.nodes[0]!.inputs[1] = 9;
    rejects(g, /node 0 CONV_2D \('y'\): input 1 is tensor 9, out of range \(tensors: 5\)/);
    g = small();
    g.nodes[1]!.outputs[0] = -1;
    rejects(g, /node 1 RELU: output 0 is tensor -1, out of range/);
    g = small();
    g.inputs[0] = 5;
    rejects(g, /graph input 0 is tensor 5, out of range/);
    g = small();
    g.outputs[0] = 7;
    rejects(g, /graph output 0 is tensor 7, out of range/);
  });

  test('a required input marked absent', () => {
    const g = small();
    g.nodes[0]!.inputs[1] = -1;
    rejects(g, /node 0 CONV_2D \('y'\): required input 1 is absent/);
  });

  test('wrong input count', () => {
    const g = small();
    g.nodes[1]!.inputs.push(0);
    rejects(g, /node 1 RELU \('z'\): has 2 inputs, expected 1/);
  });

  test('nodes out of topological order', () => {
    const g = small();
    g.nodes.reverse();
    rejects(g, /node 0 RELU \('z'\): input 0 \(tensor 3 'y'\) is not a constant, a graph input or produced by an earlier node/);
  });

  test('a tensor written twice, or a graph output never produced', () => {
    let g = small();
    g.nodes[1]!.outputs[0] = 3;
    rejects(g, /node 1 RELU \('y'\): output 0 \(tensor 3 'y'\) is already/);
    g = small();
    g.nodes.pop();
    rejects(g, /graph output 0 \(tensor 4 'z'\) is never produced/);
  });

  test('constant data of the wrong length or type', () => {
    let g = small();
    g.tensors[2]!.data = new Int32Array(4);
    rejects(g, /tensor 2 'b': has 4 values, shape \[3\] needs 3/);
    g = small();
    g.tensors[2]!.data = new Float32Array(3);
    rejects(g, /tensor 2 'b': int32 data held in a Float32Array/);
  });

  test('quantization parameters inconsistent with the shape', () => {
    let g = small();
    g.tensors[1]!.quant!.axis = 3;
    rejects(g, /tensor 1 'w': 3 per-channel scales, but dimension 3 of shape \[3,1,1,2\] is 2/);
    g = small();
    g.tensors[1]!.quant!.zeroPoint = [0];
    rejects(g, /tensor 1 'w': quantization has 3 scales but 1 zero points/);
    g = small();
    g.tensors[1]!.quant!.axis = 4;
    rejects(g, /tensor 1 'w': quantized dimension 4 out of range/);
    g = small();
    g.tensors[0]!.quant!.scale = [NaN];
    rejects(g, /tensor 0 'x': quantization scale not finite/);
  });
});
