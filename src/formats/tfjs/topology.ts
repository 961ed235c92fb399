import { ModelFormatError } from '../../errors.js';

/** A reference to one output of one call (node) of a layer. */
export interface InboundRef {
  layer: string;
  nodeIndex: number;
  tensorIndex: number;
}

/** One Keras layer of a layers-model topology. */
export interface KerasLayer {
  className: string;
  name: string;
  config: Record<string, unknown>;
  /** The layer's calls in a Functional model: for each, the tensors it was applied to. Empty in a Sequential. */
  inboundNodes: InboundRef[][];
  /** For a nested Model / Functional / Sequential layer: its own topology. */
  model?: KerasModel;
}

/** A Keras model: Functional (a graph of layers) or Sequential (a chain). */
export interface KerasModel {
  className: 'Functional' | 'Sequential';
  name: string;
  layers: KerasLayer[];
  /** Functional only: the model's input and output tensors. */
  inputs: InboundRef[];
  outputs: InboundRef[];
}

const MODEL_CLASSES = new Set(['Model', 'Functional', 'Sequential']);

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** True when `json` looks like a TF.js layers-model `model.json` (not a graph model). */
export function isTfjsLayersModelJson(json: unknown): boolean {
  if (!isObject(json) || !isObject(json.modelTopology)) return false;
  if (json.format !== undefined && json.format !== 'layers-model') return false;
  const top = json.modelTopology;
  const cfg = isObject(top.model_config) ? top.model_config : top;
  return typeof cfg.class_name === 'string' && MODEL_CLASSES.has(cfg.class_name);
}

/** Parses the Keras model config inside `modelTopology` (with or without the `model_config` wrapper). */
export function parseTopology(modelTopology: unknown, source: string): KerasModel {
  if (!isObject(modelTopology)) throw new ModelFormatError(`${source}: modelTopology is not an object`);
  const cfg = isObject(modelTopology.model_config) ? modelTopology.model_config : modelTopology;
  return parseModel(cfg, source, 'modelTopology');
}

function parseModel(m: Json, source: string, where: string): KerasModel {
  const cls = m.class_name;
  if (typeof cls !== 'string' || !MODEL_CLASSES.has(cls)) {
    throw new ModelFormatError(`${source}: ${where} has class_name ${JSON.stringify(cls)}, expected Model, Functional or Sequential`);
  }
  // Old Keras Sequential configs are a bare list of layers.
  const config: Json = Array.isArray(m.config) ? { layers: m.config } : isObject(m.config) ? m.config : {};
  const name = typeof config.name === 'string' ? config.name : typeof m.name === 'string' ? m.name : 'model';
  if (!Array.isArray(config.layers)) throw new ModelFormatError(`${source}: ${where} (${name}) has no config.layers list`);
  const layers = config.layers.map((l, i) => parseLayer(l, source, `${where}/${name}.layers[${i}]`));
  if (cls === 'Sequential') return { className: 'Sequential', name, layers, inputs: [], outputs: [] };
  const ctx = `${where} (${name})`;
  return {
    className: 'Functional',
    name,
    layers,
    inputs: refList(config.input_layers, source, `${ctx}.input_layers`),
    outputs: refList(config.output_layers, source, `${ctx}.output_layers`),
  };
}

function parseLayer(l: unknown, source: string, where: string): KerasLayer {
  if (!isObject(l) || typeof l.class_name !== 'string') throw new ModelFormatError(`${source}: ${where} is not a layer`);
  const config = isObject(l.config) ? l.config : {};
  const name = typeof l.name === 'string' ? l.name : typeof config.name === 'string' ? config.name : where;
  const inbound = Array.isArray(l.inbound_nodes) ? l.inbound_nodes : [];
  const layer: KerasLayer = {
    className: l.class_name,
    name,
    config,
    inboundNodes: inbound.map((n, k) => nodeRefs(n, source, `${where} (${name}).inbound_nodes[${k}]`)),
  };
  if (MODEL_CLASSES.has(l.class_name)) layer.model = parseModel(l, source, where);
  return layer;
}

/** A node's input list: `[[layer, node, tensor, kwargs], ...]`, or Keras 3's `{args: [...]}`. */
function nodeRefs(n: unknown, source: string, where: string): InboundRef[] {
  if (Array.isArray(n)) return n.map((r) => ref(r, source, where));
  if (isObject(n) && Array.isArray(n.args)) {
    const out: InboundRef[] = [];
    const visit = (a: unknown): void => {
      if (Array.isArray(a)) a.forEach(visit);
      else if (isObject(a) && a.class_name === '__keras_tensor__' && isObject(a.config)) {
        out.push(ref(a.config.keras_history, source, where));
      }
    };
    visit(n.args);
    return out;
  }
  throw new ModelFormatError(`${source}: ${where} is not a list of inbound tensors`);
}

function ref(r: unknown, source: string, where: string): InboundRef {
  if (!Array.isArray(r) || typeof r[0] !== 'string') {
    throw new ModelFormatError(`${source}: ${where}: bad tensor reference ${JSON.stringify(r)}`);
  }
  return { layer: r[0], nodeIndex: Number(r[1] ?? 0), tensorIndex: Number(r[2] ?? 0) };
}

function refList(v: unknown, source: string, where: string): InboundRef[] {
  if (!Array.isArray(v)) throw new ModelFormatError(`${source}: ${where} is missing`);
  // A single reference may be written without the outer list.
  if (typeof v[0] === 'string') return [ref(v, source, where)];
  return v.map((r) => ref(r, source, where));
}
