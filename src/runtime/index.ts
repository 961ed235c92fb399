export { Session, type SessionOptions } from './session.js';
export { planArena, type ArenaPlan, ARENA_ALIGN } from './arena.js';
