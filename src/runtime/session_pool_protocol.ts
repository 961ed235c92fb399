import type { Graph, TypedArray } from '../graph/index.js';
import type { SessionOptions } from './session.js';

/** What a pool worker is started with. */
export interface PoolWorkerInit {
  graph: Graph;
  variant: SessionOptions['variant'];
}

/** Pool → worker: run one inference. */
export interface PoolRequest {
  id: number;
  inputs: TypedArray[];
  fetch?: number[];
}

/** An error crossing the thread boundary: its class name and message. */
export interface PoolError {
  name: string;
  message: string;
}

/** Worker → pool: ready after preparing, a result, or an error (of one job, or of preparing when `id` is -1). */
export type PoolReply =
  | { kind: 'ready' }
  | { kind: 'result'; id: number; outputs: TypedArray[] }
  | { kind: 'error'; id: number; error: PoolError };
