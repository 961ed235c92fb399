/**
 * Writes the TFLite metadata flatbuffer (metadata_schema.fbs, identifier "M001") and the ZIP archive of
 * its associated files, as TFLite's metadata writer lays them out for an image classifier.
 */
import { Builder } from 'flatbuffers';
import { zipSync } from 'fflate';
import { f32Vector, offsetVector, slots } from './fb_write.js';
import { COLOR_SPACE_RGB, CONTENT_PROPERTIES, M, NORMALIZATION_OPTIONS, TENSOR_AXIS_LABELS, type TfliteMetadata } from './metadata.js';

/**
 * What to put in a model's TFLite metadata: the fields the reader returns (`minParserVersion` defaults to "1.0.0",
 * `labelsFile` to "labels.txt"), and the labels themselves.
 */
export interface TfliteMetadataInput extends TfliteMetadata {
  /** Class labels of the first output, stored as an associated TENSOR_AXIS_LABELS file. */
  labels?: string[];
}

/** The metadata buffer and, when there are labels, the ZIP archive to append to the model file. */
export interface WrittenMetadata {
  buffer: Uint8Array;
  zip?: Uint8Array;
}

/** Builds the "M001" metadata flatbuffer and the archive of its labels file. */
export function writeMetadata(md: TfliteMetadataInput): WrittenMetadata {
  const b = new Builder(1024);
  const str = (s: string | undefined): number => (s === undefined ? 0 : b.createString(s));
  const labelsFile = md.labelsFile ?? 'labels.txt';

  const input = tensorMetadata(b, 'image', 'Input image.', CONTENT_PROPERTIES.ImageProperties, () => {
    if (!md.normalization) return 0;
    const mean = f32Vector(b, md.normalization.mean);
    const std = f32Vector(b, md.normalization.std);
    b.startObject(slots(M.NormalizationOptions));
    b.addFieldOffset(M.NormalizationOptions.mean, mean, 0);
    b.addFieldOffset(M.NormalizationOptions.std, std, 0);
    const options = b.endObject();
    b.startObject(slots(M.ProcessUnit));
    b.addFieldInt8(M.ProcessUnit.options_type, NORMALIZATION_OPTIONS, 0);
    b.addFieldOffset(M.ProcessUnit.options, options, 0);
    return offsetVector(b, [b.endObject()]);
  }, () => 0);

  const output = tensorMetadata(b, 'probability', 'Scores of the classes.', CONTENT_PROPERTIES.FeatureProperties, () => 0, () => {
    if (!md.labels) return 0;
    const name = b.createString(labelsFile);
    const description = b.createString('Labels of the classes, one per line, in output order.');
    b.startObject(slots(M.AssociatedFile));
    b.addFieldOffset(M.AssociatedFile.name, name, 0);
    b.addFieldOffset(M.AssociatedFile.description, description, 0);
    b.addFieldInt8(M.AssociatedFile.type, TENSOR_AXIS_LABELS, 0);
    return offsetVector(b, [b.endObject()]);
  });

  const inputs = offsetVector(b, [input]);
  const outputs = offsetVector(b, [output]);
  b.startObject(slots(M.SubGraphMetadata));
  b.addFieldOffset(M.SubGraphMetadata.input_tensor_metadata, inputs, 0);
  b.addFieldOffset(M.SubGraphMetadata.output_tensor_metadata, outputs, 0);
  const subgraphs = offsetVector(b, [b.endObject()]);

  const f = M.ModelMetadata;
  const fields: [number, number][] = [
    [f.name, str(md.name)],
    [f.description, str(md.description)],
    [f.version, str(md.version)],
    [f.author, str(md.author)],
    [f.license, str(md.license)],
    [f.min_parser_version, str(md.minParserVersion ?? '1.0.0')],
  ];
  b.startObject(slots(f));
  for (const [id, off] of fields) if (off) b.addFieldOffset(id, off, 0);
  b.addFieldOffset(f.subgraph_metadata, subgraphs, 0);
  b.finish(b.endObject(), 'M001');
  const buffer = b.asUint8Array().slice();

  if (!md.labels) return { buffer };
  const text = new TextEncoder().encode(md.labels.join('\n') + '\n');
  // Stored, not deflated: TFLite's metadata extractor maps associated files in place.
  return { buffer, zip: zipSync({ [labelsFile]: [text, { level: 0 }] }) };
}

/** A TensorMetadata table with a name, a description, content properties, process units and files. */
function tensorMetadata(b: Builder, name: string, description: string, contentType: number, units: () => number, files: () => number): number {
  const unitsOff = units();
  const filesOff = files();
  const nameOff = b.createString(name);
  const descOff = b.createString(description);
  let properties = 0;
  if (contentType === CONTENT_PROPERTIES.ImageProperties) {
    b.startObject(slots(M.ImageProperties));
    b.addFieldInt8(M.ImageProperties.color_space, COLOR_SPACE_RGB, 0);
    properties = b.endObject();
  } else {
    b.startObject(0);
    properties = b.endObject();
  }
  b.startObject(slots(M.Content));
  b.addFieldInt8(M.Content.content_properties_type, contentType, 0);
  b.addFieldOffset(M.Content.content_properties, properties, 0);
  const content = b.endObject();

  const t = M.TensorMetadata;
  b.startObject(slots(t));
  b.addFieldOffset(t.name, nameOff, 0);
  b.addFieldOffset(t.description, descOff, 0);
  b.addFieldOffset(t.content, content, 0);
  if (unitsOff) b.addFieldOffset(t.process_units, unitsOff, 0);
  if (filesOff) b.addFieldOffset(t.associated_files, filesOff, 0);
  return b.endObject();
}
