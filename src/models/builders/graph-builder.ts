import { MobilenetError } from '../../errors.js';
import type { Graph, ModelMeta } from '../../graph/graph.js';
import type { Node, OpAttrs, OpName } from '../../graph/ops.js';
import { numElements, shapeToString, type Tensor } from '../../graph/tensor.js';
import type { Layout } from './spec.js';
import type { WeightSource } from './weights.js';

/** Accumulates tensors and nodes of a graph under construction, and pulls parameters from a WeightSource. */
export class GraphBuilder {
  readonly tensors: Tensor[] = [];
  readonly nodes: Node[] = [];
  /** Parameters as the source framework counts them: every requested value except batch-norm running statistics. */
  unfoldedParams = 0;
  private readonly scalars = new Map<number, number>();

  constructor(
    private readonly weights: WeightSource,
    readonly layout: Layout,
    /** Batch-norm epsilon of the reference implementation. */
    readonly bnEps: number,
  ) {}

  /** Shape of tensor `t`. */
  shape(t: number): number[] {
    return this.tensors[t]!.shape;
  }

  /** Adds a float32 activation tensor and returns its index. */
  activation(name: string, shape: number[]): number {
    this.tensors.push({ name, dtype: 'float32', shape });
    return this.tensors.length - 1;
  }

  /** Adds a constant tensor and returns its index. */
  constant(name: string, shape: number[], data: Float32Array | Int32Array): number {
    this.tensors.push({ name, dtype: data instanceof Int32Array ? 'int32' : 'float32', shape, data });
    return this.tensors.length - 1;
  }

  /** A shared float32 constant of shape [1] holding `value`. */
  scalar(value: number): number {
    let t = this.scalars.get(value);
    if (t === undefined) {
      t = this.constant(`const_${value}`, [1], new Float32Array([value]));
      this.scalars.set(value, t);
    }
    return t;
  }

  /** Appends a node producing one new activation of `outShape`; returns the output tensor index. */
  op<K extends OpName>(op: K, attrs: OpAttrs[K], inputs: number[], outShape: number[], name: string): number {
    const out = this.activation(name, outShape);
    this.nodes.push({ op, attrs, inputs, outputs: [out], name } as Node);
    return out;
  }

  /** Fetches a parameter of the unfolded network (PyTorch layout) and checks its size. */
  param(name: string, shape: number[]): Float32Array {
    const data = this.weights(name, shape);
    const n = numElements(shape);
    if (!(data instanceof Float32Array) || data.length !== n) {
      const got = data instanceof Float32Array ? `${data.length} values` : typeof data;
      throw new MobilenetError(`weight "${name}": expected ${shapeToString(shape)} (${n} float32 values), got ${got}`);
    }
    if (!/(running_mean|running_var|moving_mean|moving_variance)$/.test(name)) this.unfoldedParams += n;
    return data;
  }

  /** Batch-norm scale and shift for `prefix` in this layout's naming. */
  batchNorm(prefix: string, channels: number): { gamma: Float32Array; beta: Float32Array; mean: Float32Array; variance: Float32Array } {
    const tv = this.layout === 'torchvision';
    const name = (tvName: string, slimName: string): string => (tv ? `${prefix}.${tvName}` : `${prefix}/${slimName}`);
    return {
      gamma: this.param(name('weight', 'gamma'), [channels]),
      beta: this.param(name('bias', 'beta'), [channels]),
      mean: this.param(name('running_mean', 'moving_mean'), [channels]),
      variance: this.param(name('running_var', 'moving_variance'), [channels]),
    };
  }

  /** The finished graph. */
  finish(inputs: number[], outputs: number[], meta: ModelMeta): Graph {
    return { tensors: this.tensors, nodes: this.nodes, inputs, outputs, meta };
  }
}
