import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** Project root (the folder holding package.json), from dist/test/helpers or test/helpers. */
export const projectRoot = (() => {
  let dir = here;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('package.json not found above ' + here);
    dir = up;
  }
  return dir;
})();

/** The shared real data folder: $MOBILENET_DATA, or ../shared/data beside the project root. */
export const dataDir = process.env.MOBILENET_DATA ?? resolve(projectRoot, '..', 'shared', 'data');

/** Path of a file in the shared data folder. */
export function dataPath(...parts: string[]): string {
  return join(dataDir, ...parts);
}

/** The shared TFLite models, by short name. */
export const sharedTflite = {
  v2_uint8: dataPath('models', 'mobilenet_v2_1.0_224.uint8.tflite'),
  v3_small_uint8: dataPath('models', 'mobilenet_v3_small_1.0_224.uint8.tflite'),
  v1_025_float: dataPath('models', 'mobilenet_v1_0.25_224_float', 'mobilenet_v1_0.25_224_1_default_1.tflite'),
  v2_ptq_int8: dataPath('models', 'tf2_mobilenet_v2_1.0_224_ptq', 'tf2_mobilenet_v2_1.0_224_ptq.tflite'),
  v1_025_128_quant: dataPath('models', 'mobilenet_v1_0.25_128_quant', 'mobilenet_v1_0.25_128_quant.tflite'),
  v1_05_160_quant: dataPath('models', 'mobilenet_v1_0.5_160_quant', 'mobilenet_v1_0.5_160_quant.tflite'),
} as const;

/** Temporary-output folder for tests (ignored by git). */
export const tmpDir = join(projectRoot, 'tmp');
