import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { MobilenetError } from '../errors.js';

/** A named pretrained model and the file names it is published under. */
export interface ZooEntry {
  name: string;
  description: string;
  /** Candidate paths relative to a model directory, first match wins. */
  files: string[];
}

/** The default model: MobileNetV2 1.0 224, uint8 quantization-aware trained. */
export const DEFAULT_MODEL = 'v2-1.0-224-uint8';

/** Pretrained models known by name. */
export const ZOO: readonly ZooEntry[] = [
  {
    name: 'v2-1.0-224-uint8',
    description: 'MobileNetV2 1.0 224, uint8 per-tensor (quantization-aware trained)',
    files: ['mobilenet_v2_1.0_224.uint8.tflite', 'mobilenet_v2_1.0_224_quant.tflite'],
  },
  {
    name: 'v2-1.0-224-ptq',
    description: 'MobileNetV2 1.0 224, int8 per-channel full-integer post-training quantization',
    files: ['tf2_mobilenet_v2_1.0_224_ptq/tf2_mobilenet_v2_1.0_224_ptq.tflite', 'tf2_mobilenet_v2_1.0_224_ptq.tflite'],
  },
  {
    name: 'v3-small-1.0-224-uint8',
    description: 'MobileNetV3-Small 1.0 224, uint8 per-tensor',
    files: ['mobilenet_v3_small_1.0_224.uint8.tflite', 'v3-small_224_1.0_uint8.tflite'],
  },
  {
    name: 'v1-0.25-224-float',
    description: 'MobileNetV1 0.25 224, float32',
    files: [
      'mobilenet_v1_0.25_224_float/mobilenet_v1_0.25_224_1_default_1.tflite',
      'mobilenet_v1_0.25_224_1_default_1.tflite',
      'mobilenet_v1_0.25_224.tflite',
    ],
  },
  {
    name: 'v1-0.25-128-quant',
    description: 'MobileNetV1 0.25 128, uint8 per-tensor',
    files: ['mobilenet_v1_0.25_128_quant/mobilenet_v1_0.25_128_quant.tflite', 'mobilenet_v1_0.25_128_quant.tflite'],
  },
  {
    name: 'v1-0.5-160-quant',
    description: 'MobileNetV1 0.5 160, uint8 per-tensor',
    files: ['mobilenet_v1_0.5_160_quant/mobilenet_v1_0.5_160_quant.tflite', 'mobilenet_v1_0.5_160_quant.tflite'],
  },
  {
    name: 'v1-0.25-224-tfjs',
    description: 'MobileNetV1 0.25 224, float32 TF.js layers model (1000 classes)',
    files: ['mobilenet_v1_0.25_224_tfjs_layers/model.json', 'mobilenet_v1_0.25_224/model.json'],
  },
];

/** Directories searched for named models: the option, $MOBILENET_MODELS (path-list), ./models, the user cache. */
export function modelSearchPath(modelDir?: string): string[] {
  const dirs: string[] = [];
  if (modelDir) dirs.push(resolve(modelDir));
  const env = process.env.MOBILENET_MODELS;
  if (env) for (const d of env.split(':')) if (d) dirs.push(resolve(d));
  dirs.push(resolve('models'));
  dirs.push(join(homedir(), '.cache', 'mobilenet-ts', 'models'));
  return dirs;
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/**
 * Resolves a model name or path to a file. A path (existing file, or anything with a slash or a model
 * extension) is returned as is; a zoo name or a bare file stem is looked up in the model directories.
 */
export function resolveModel(nameOrPath: string, modelDir?: string): string {
  if (isFile(nameOrPath)) return resolve(nameOrPath);
  const looksLikePath = isAbsolute(nameOrPath) || /[\\/]/.test(nameOrPath) || /\.(tflite|json|pth|pt)$/i.test(nameOrPath);
  if (looksLikePath) {
    if (existsSync(nameOrPath) && statSync(nameOrPath).isDirectory()) {
      const mj = join(nameOrPath, 'model.json');
      if (isFile(mj)) return resolve(mj);
    }
    throw new MobilenetError(`model file '${nameOrPath}' not found`);
  }
  const dirs = modelSearchPath(modelDir);
  const entry = ZOO.find((e) => e.name === nameOrPath);
  const candidates = entry ? entry.files : [nameOrPath + '.tflite', nameOrPath + '/model.json', nameOrPath];
  for (const dir of dirs) {
    for (const f of candidates) {
      const p = join(dir, f);
      if (isFile(p)) return p;
    }
  }
  const known = ZOO.map((e) => e.name).join(', ');
  const where = dirs.filter((d) => existsSync(d));
  throw new MobilenetError(
    `model '${nameOrPath}' not found in ${where.length ? where.join(', ') : 'any model directory'}` +
      ` (set --model-dir or MOBILENET_MODELS; known names: ${known})`,
  );
}

/** Zoo entries with the file each resolves to in the search path (undefined when absent). */
export function listZoo(modelDir?: string): { entry: ZooEntry; path?: string }[] {
  return ZOO.map((entry) => {
    try {
      return { entry, path: resolveModel(entry.name, modelDir) };
    } catch {
      return { entry };
    }
  });
}
