import type { Graph } from './graph.js';
import type { Node, OpAttrs, OpName } from './ops.js';
import type { Tensor } from './tensor.js';

/** Appends tensors and nodes of a graph under construction (format readers and model builders). */
export class GraphEmitter {
  readonly tensors: Tensor[] = [];
  readonly nodes: Node[] = [];
  readonly inputs: number[] = [];

  /** Shape of tensor `t`. */
  shape(t: number): number[] {
    return this.tensors[t]!.shape;
  }

  /** A new float32 activation tensor; returns its index. */
  activation(name: string, shape: number[]): number {
    this.tensors.push({ name, dtype: 'float32', shape });
    return this.tensors.length - 1;
  }

  /** A new constant tensor; returns its index. */
  constant(name: string, shape: number[], data: Float32Array | Int32Array): number {
    this.tensors.push({ name, dtype: data instanceof Int32Array ? 'int32' : 'float32', shape, data });
    return this.tensors.length - 1;
  }

  /** Appends a node with one new output of `shape`; returns the output tensor. */
  op<K extends OpName>(op: K, attrs: OpAttrs[K], inputs: number[], shape: number[], name: string): number {
    const out = this.activation(name, shape);
    this.nodes.push({ op, attrs, inputs, outputs: [out], name } as Node);
    return out;
  }

  /** The graph built so far, with these outputs. */
  graph(outputs: number[], meta: Graph['meta']): Graph {
    return { tensors: this.tensors, nodes: this.nodes, inputs: this.inputs, outputs, meta };
  }
}
