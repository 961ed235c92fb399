// Stands for 'fflate' in the Node bundle (scripts/build-node.mjs): the same functions, the package itself bundled
// but initialised on the first call (require of an ES module makes esbuild wrap it in a lazy initialiser).
export const gunzipSync = (...a) => require('fflate').gunzipSync(...a);
export const inflateSync = (...a) => require('fflate').inflateSync(...a);
export const zipSync = (...a) => require('fflate').zipSync(...a);
