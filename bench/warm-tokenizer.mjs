// Loaded into each scale-out worker before its entry point (node --import): the tokenizer's tables,
// which a worker otherwise loads with its first draft (about 185 ms of CPU once per process), so the
// worker-CPU row counts what a draft costs a running worker. The same module instance is the one
// src/agents/tokens.ts requires later (one CommonJS cache per process).
import { createRequire } from 'node:module';

createRequire(import.meta.url)('gpt-tokenizer/encoding/o200k_base');
