// Starting a Node worker thread with the caller's Node options, as far as Node takes them for a worker.

/** The options of a worker, less `execArgv` (computed here). */
interface WorkerOptions {
  workerData: unknown;
  transferList?: unknown[];
}
type WorkerCtor<W> = new (url: URL, opts: WorkerOptions & { execArgv: string[] }) => W;

/** The caller's options for workers; shrunk when Node refuses some of them. */
let execArgv: string[] | undefined;

/**
 * A worker thread running `url` with this process's execArgv, less `--input-type` (of `node -e`, which would stop the
 * worker from starting) and less what Node refuses for workers (V8 flags such as --max-old-space-size or
 * --experimental-wasm-relaxed-simd, process-wide anyway): without this a caller started with such a flag could not
 * start workers at all.
 */
export function startNodeWorker<W>(Worker: WorkerCtor<W>, url: URL, opts: WorkerOptions): W {
  if (!execArgv) {
    const p = (globalThis as { process?: { execArgv?: string[] } }).process;
    execArgv = (p?.execArgv ?? []).filter((a) => !a.startsWith('--input-type'));
  }
  try {
    return new Worker(url, { ...opts, execArgv });
  } catch (e) {
    const m = /invalid execArgv flags: (.*)$/.exec(e instanceof Error ? e.message : '');
    if ((e as { code?: string }).code !== 'ERR_WORKER_INVALID_EXEC_ARGV' || !m) throw e;
    const refused = new Set(m[1]!.split(', '));
    execArgv = execArgv.filter((a) => !refused.has(a));
    return new Worker(url, { ...opts, execArgv });
  }
}
