/**
 * The TFLite metadata flatbuffer (metadata_schema.fbs, identifier "M001") stored in the model's
 * `TFLITE_METADATA` buffer: model name and description, input normalisation, the labels file name.
 */
import type { Normalization } from '../../graph/graph.js';
import { FlatBuffer, type Table } from './flatbuf.js';

/** What the metadata says that the reader uses. */
export interface TfliteMetadata {
  name?: string;
  description?: string;
  version?: string;
  author?: string;
  license?: string;
  minParserVersion?: string;
  /** NormalizationOptions of the first input tensor. */
  normalization?: Normalization;
  /** Name of the TENSOR_AXIS_LABELS file of the first output tensor (a file of the appended ZIP). */
  labelsFile?: string;
}

/** Field indices of metadata_schema.fbs. */
export const M = {
  ModelMetadata: { name: 0, description: 1, version: 2, subgraph_metadata: 3, author: 4, license: 5, associated_files: 6, min_parser_version: 7 },
  SubGraphMetadata: { name: 0, description: 1, input_tensor_metadata: 2, output_tensor_metadata: 3, associated_files: 4 },
  TensorMetadata: { name: 0, description: 1, content: 3, process_units: 4, stats: 5, associated_files: 6 },
  Content: { content_properties_type: 0, content_properties: 1 },
  ImageProperties: { color_space: 0 },
  Stats: { max: 0, min: 1 },
  ProcessUnit: { options_type: 0, options: 1 },
  NormalizationOptions: { mean: 0, std: 1 },
  AssociatedFile: { name: 0, description: 1, type: 2 },
} as const;

/** ProcessUnitOptions union value of NormalizationOptions (NONE = 0). */
export const NORMALIZATION_OPTIONS = 1;
/** AssociatedFileType.TENSOR_AXIS_LABELS. */
export const TENSOR_AXIS_LABELS = 2;
/** ContentProperties union values (NONE = 0). */
export const CONTENT_PROPERTIES = { FeatureProperties: 1, ImageProperties: 2 } as const;
/** ColorSpaceType.RGB. */
export const COLOR_SPACE_RGB = 1;

/** Reads the metadata flatbuffer; errors are `ModelFormatError`s prefixed with `label`. */
export function readMetadata(bytes: Uint8Array, label: string): TfliteMetadata {
  const fb = new FlatBuffer(bytes, label);
  fb.where = 'TFLITE_METADATA';
  const id = fb.identifier();
  if (id !== 'M001') fb.fail(`buffer has file identifier ${JSON.stringify(id)}, expected "M001"`);
  const f = M.ModelMetadata;
  const root = fb.root('ModelMetadata');
  const meta: TfliteMetadata = {};
  const put = (key: 'name' | 'description' | 'version' | 'author' | 'license' | 'minParserVersion', v: string | undefined) => {
    if (v !== undefined && v !== '') meta[key] = v;
  };
  put('name', root.string(f.name, 'name'));
  put('description', root.string(f.description, 'description'));
  put('version', root.string(f.version, 'version'));
  put('author', root.string(f.author, 'author'));
  put('license', root.string(f.license, 'license'));
  put('minParserVersion', root.string(f.min_parser_version, 'min_parser_version'));

  const subgraphs = root.tables(f.subgraph_metadata, 'subgraph_metadata', 'SubGraphMetadata');
  if (subgraphs.length > 0) {
    const sg = subgraphs.at(0);
    const s = M.SubGraphMetadata;
    const inputs = sg.tables(s.input_tensor_metadata, 'input_tensor_metadata', 'TensorMetadata');
    if (inputs.length > 0) {
      const norm = normalization(fb, inputs.at(0));
      if (norm) meta.normalization = norm;
    }
    const outputs = sg.tables(s.output_tensor_metadata, 'output_tensor_metadata', 'TensorMetadata');
    const labels =
      (outputs.length > 0 ? labelsFile(outputs.at(0), M.TensorMetadata.associated_files) : undefined) ??
      labelsFile(sg, s.associated_files) ??
      labelsFile(root, f.associated_files);
    if (labels !== undefined) meta.labelsFile = labels;
  }
  return meta;
}

function normalization(fb: FlatBuffer, tensor: Table): Normalization | undefined {
  const units = tensor.tables(M.TensorMetadata.process_units, 'process_units', 'ProcessUnit');
  for (let k = 0; k < units.length; k++) {
    const unit = units.at(k);
    if (unit.u8(M.ProcessUnit.options_type, 'options_type') !== NORMALIZATION_OPTIONS) continue;
    const opts = unit.table(M.ProcessUnit.options, 'options', 'NormalizationOptions');
    if (!opts) fb.fail('ProcessUnit of type NormalizationOptions has no options');
    const mean = opts.f32s(M.NormalizationOptions.mean, 'mean') ?? [];
    const std = opts.f32s(M.NormalizationOptions.std, 'std') ?? [];
    if (mean.length === 0 || std.length === 0) fb.fail(`NormalizationOptions has ${mean.length} mean and ${std.length} std values`);
    if (!mean.every(Number.isFinite) || !std.every((s) => Number.isFinite(s) && s !== 0)) {
      fb.fail(`NormalizationOptions mean [${mean}] std [${std}]: values must be finite and std non-zero`);
    }
    return { mean, std };
  }
  return undefined;
}

function labelsFile(t: Table, field: number): string | undefined {
  const files = t.tables(field, 'associated_files', 'AssociatedFile');
  for (let k = 0; k < files.length; k++) {
    const file = files.at(k);
    if (file.i8(M.AssociatedFile.type, 'type') !== TENSOR_AXIS_LABELS) continue;
    const name = file.string(M.AssociatedFile.name, 'name');
    if (name) return name;
  }
  return undefined;
}
