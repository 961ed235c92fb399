export { Session, type NodeProfile, type SessionOptions } from './session.js';
export { formatProfile } from './profile.js';
export { planArena, type ArenaPlan, ARENA_ALIGN } from './arena.js';
export { enableRelaxedSimd } from '../kernels/wasm/features.js';
export { SessionPool, type SessionPoolOptions } from './session_pool.js';
