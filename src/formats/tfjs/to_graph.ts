import { ModelFormatError, UnsupportedError } from '../../errors.js';
import type { Graph, Normalization } from '../../graph/graph.js';
import { toFloat32 } from '../named_tensor.js';
import { GraphEmitter } from '../../graph/emitter.js';
import { foldAndFuse } from './fold.js';
import { applyLayer, type LayerContext } from './layers.js';
import type { TfjsLayersModel } from './read.js';
import type { InboundRef, KerasLayer, KerasModel } from './topology.js';

/** Options of {@link tfjsLayersToGraph}. */
export interface TfjsToGraphOptions {
  /** Input shape `[1, H, W, C]` to use when the model leaves height or width open. */
  inputShape?: number[];
}

/**
 * Converts a TF.js layers model into the graph IR (NHWC, batch 1): Keras HWIO conv kernels become OHWI,
 * HWCM depthwise kernels 1HWC, Dense kernels `[out, in]`; batch normalization is folded into the
 * preceding convolution where possible (else a per-channel MUL and ADD); ReLU / ReLU6 are fused.
 * `meta.featureTensor` is the output of the last GlobalAveragePooling2D.
 * @throws UnsupportedError naming a layer of an unsupported class or configuration.
 * @throws ModelFormatError for missing or mis-shaped weights.
 */
export function tfjsLayersToGraph(m: TfjsLayersModel, options: TfjsToGraphOptions = {}): Graph {
  const em = new GraphEmitter();
  const used = new Set<string>();
  const ctx: LayerContext = {
    em,
    featureTensor: -1,
    rescaled: false,
    weight: (layer, attr, scope) => findWeight(m, layer, attr, scope, used),
  };
  const outputs = convertModel(ctx, m.model, undefined, [], options);
  const normalization: Normalization = ctx.rescaled ? { mean: [0], std: [1] } : { mean: [127.5], std: [127.5] };
  const extra: Record<string, string> = {};
  if (m.generatedBy) extra.generatedBy = m.generatedBy;
  if (m.convertedBy) extra.convertedBy = m.convertedBy;
  const keep = [ctx.featureTensor];
  const g = foldAndFuse(em.graph(outputs, { format: 'tfjs', name: m.model.name, normalization, extra }), keep);
  if (keep[0] >= 0) g.meta.featureTensor = keep[0];
  return g;
}

function findWeight(m: TfjsLayersModel, layer: KerasLayer, attr: string, scope: string[], used: Set<string>): Float32Array {
  const exact = `${layer.name}/${attr}`;
  let names = [...m.weights.keys()].filter((n) => n === exact || n.endsWith(`/${exact}`));
  if (names.length > 1) {
    const scoped = names.filter((n) => n === [...scope, exact].join('/') || n === exact);
    if (scoped.length === 1) names = scoped;
    else {
      const fresh = names.filter((n) => !used.has(n));
      if (fresh.length === 1) names = fresh;
    }
  }
  if (names.length === 0) {
    throw new ModelFormatError(`tfjs: weight "${exact}" of layer ${layer.name} (${layer.className}) is not in the weights manifest`);
  }
  if (names.length > 1) {
    throw new ModelFormatError(`tfjs: weight "${exact}" of layer ${layer.name} is ambiguous: ${names.join(', ')}`);
  }
  used.add(names[0]);
  const t = m.weights.get(names[0])!;
  if (t.dtype !== 'float32') throw new ModelFormatError(`tfjs: weight "${names[0]}" is ${t.dtype}, expected float32`);
  return toFloat32(t);
}

/** Converts a (possibly nested) model; `given` are its input tensors when it is called as a layer. */
function convertModel(
  ctx: LayerContext,
  model: KerasModel,
  given: number[] | undefined,
  scope: string[],
  options: TfjsToGraphOptions,
): number[] {
  const inner = [...scope, model.name];
  if (model.className === 'Sequential') {
    let x: number[] | undefined = given;
    for (const [i, layer] of model.layers.entries()) {
      if (layer.className === 'InputLayer') {
        x ??= [makeInput(ctx, layer, options)];
        continue;
      }
      if (!x) {
        if (layer.model) x = undefined;
        else if (layer.config.batch_input_shape || layer.config.batch_shape) x = [makeInput(ctx, layer, options)];
        else throw new ModelFormatError(`tfjs: Sequential ${model.name} has no input shape before layer ${i} (${layer.name})`);
      }
      x = layer.model ? convertModel(ctx, layer.model, x, inner, options) : applyLayer(ctx, layer, x!, inner);
    }
    if (!x) throw new ModelFormatError(`tfjs: Sequential ${model.name} has no layers`);
    return x;
  }

  const byName = new Map(model.layers.map((l) => [l.name, l]));
  const memo = new Map<string, number[]>();
  const inputNames = model.inputs.map((r) => r.layer);
  if (given && given.length !== inputNames.length) {
    throw new ModelFormatError(`tfjs: model ${model.name} takes ${inputNames.length} inputs, called with ${given.length}`);
  }
  const resolving = new Set<string>();
  const resolve = (ref: InboundRef): number => {
    const layer = byName.get(ref.layer);
    if (!layer) throw new ModelFormatError(`tfjs: model ${model.name} refers to unknown layer "${ref.layer}"`);
    const key = `${ref.layer}:${ref.nodeIndex}`;
    let outs = memo.get(key);
    if (!outs) {
      if (resolving.has(key)) throw new ModelFormatError(`tfjs: model ${model.name} has a cycle through layer ${ref.layer}`);
      resolving.add(key);
      if (layer.className === 'InputLayer') {
        const k = inputNames.indexOf(layer.name);
        outs = [given && k >= 0 ? given[k] : makeInput(ctx, layer, options)];
      } else {
        const node = layer.inboundNodes[ref.nodeIndex];
        if (!node) throw new ModelFormatError(`tfjs: layer ${layer.name} has no call #${ref.nodeIndex}`);
        const xs = node.map(resolve);
        outs = layer.model ? convertModel(ctx, layer.model, xs, inner, options) : applyLayer(ctx, layer, xs, inner);
      }
      memo.set(key, outs);
    }
    const t = outs[ref.tensorIndex];
    if (t === undefined) throw new ModelFormatError(`tfjs: layer ${ref.layer} has no output #${ref.tensorIndex}`);
    return t;
  };
  return model.outputs.map(resolve);
}

function makeInput(ctx: LayerContext, layer: KerasLayer, options: TfjsToGraphOptions): number {
  const declared = (layer.config.batch_input_shape ?? layer.config.batch_shape) as (number | null)[] | undefined;
  if (!Array.isArray(declared)) throw new ModelFormatError(`tfjs: input layer ${layer.name} has no batch_input_shape`);
  const dtype = layer.config.dtype;
  if (dtype !== undefined && dtype !== 'float32') {
    throw new UnsupportedError(`tfjs: input layer ${layer.name} has dtype ${String(dtype)}; only float32 inputs are supported`);
  }
  const shape = declared.map((d, i) => (i === 0 ? 1 : (options.inputShape?.[i] ?? d)));
  if (shape.some((d) => typeof d !== 'number' || d <= 0)) {
    throw new UnsupportedError(
      `tfjs: input layer ${layer.name} has open dimensions [${declared.map(String)}]; pass options.inputShape`,
    );
  }
  if (ctx.em.inputs.length > 0) throw new UnsupportedError(`tfjs: more than one model input (${layer.name})`);
  const t = ctx.em.activation(layer.name, shape as number[]);
  ctx.em.inputs.push(t);
  return t;
}
