import { MobilenetError } from '../../errors.js';
import type { Graph, ModelMeta } from '../../graph/graph.js';
import { GraphEmitter } from '../../graph/emitter.js';
import { numElements, shapeToString } from '../../graph/tensor.js';
import type { Layout } from './spec.js';
import type { WeightSource } from './weights.js';

/** Accumulates tensors and nodes of a graph under construction, and pulls parameters from a WeightSource. */
export class GraphBuilder extends GraphEmitter {
  /** Parameters as the source framework counts them: every requested value except batch-norm running statistics. */
  unfoldedParams = 0;
  private readonly scalars = new Map<number, number>();

  constructor(
    private readonly weights: WeightSource,
    readonly layout: Layout,
    /** Batch-norm epsilon of the reference implementation. */
    readonly bnEps: number,
  ) {
    super();
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
    this.inputs.push(...inputs);
    return this.graph(outputs, meta);
  }
}
