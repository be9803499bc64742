// @ts-check
// The layering of README's Layout table as a lint rule: each folder names the folders (and, for a few,
// single files) it may import from, and the packages it must not load. Imports are resolved against the
// importing file, so `../db/pages.js` from src/views/ and `../../db/pages.js` from src/domain/lettering/
// are the same arrow. Type-only imports are allowed where a layer lists `types`: they are erased when
// compiled, so they add no dependency at run time and no I/O (a view may name a row's shape).
import path from 'node:path';

const ROOT = import.meta.dirname;

/** Node's modules that reach the disk, the network or other processes. */
const NODE_IO = [
  'fs',
  'fs/promises',
  'net',
  'http',
  'https',
  'http2',
  'tls',
  'dgram',
  'dns',
  'child_process',
  'cluster',
  'worker_threads',
].flatMap((m) => [m, `node:${m}`]);
const DATABASE = ['pg', 'kysely'];
const QUEUE = ['bullmq', 'ioredis'];
const DISCORD = ['discord.js', '@discordjs/rest', '@discordjs/builders'];
const SERVERS = ['hono', '@hono/node-server', 'ws', 'prom-client'];
const MODEL = ['openai'];

/**
 * The layers, innermost first. `from`: what its code may import (its own folder always); `types`:
 * what it may import types from besides; `banned`: packages it must not load.
 * @type {Record<string, { from: string[]; types?: string[]; banned?: string[] }>}
 */
const LAYERS = {
  // The pure core, and the letterer's pure layout inside it: no I/O of any kind.
  'src/domain': { from: [], banned: [...NODE_IO, ...DATABASE, ...QUEUE, ...DISCORD, ...SERVERS, ...MODEL, 'pino', '@discordjs/rest'] },
  'src/config': { from: ['src/domain'], banned: [...DATABASE, ...QUEUE, ...DISCORD, ...SERVERS, ...MODEL] },
  'src/db': { from: ['src/domain', 'src/config', 'migrations'], banned: [...QUEUE, ...DISCORD, ...SERVERS, ...MODEL] },
  'src/agents': {
    from: ['src/domain', 'src/logger.ts'],
    types: ['src/config', 'src/db'],
    banned: [...DATABASE, ...QUEUE, ...DISCORD, ...SERVERS],
  },
  'src/comfyui': {
    from: ['src/domain', 'src/logger.ts'],
    types: ['src/config'],
    banned: [...DATABASE, ...QUEUE, ...DISCORD, ...MODEL, 'hono', '@hono/node-server'],
  },
  // Image composition (lettered pages): bytes in, bytes out; it reads only its font files from disk.
  'src/compositor': {
    from: ['src/domain', 'src/logger.ts'],
    types: ['src/config'],
    banned: [...NODE_IO.filter((m) => !/^(node:)?fs/.test(m)), ...DATABASE, ...QUEUE, ...DISCORD, ...SERVERS, ...MODEL],
  },
  // Use cases, those that call the model (src/agents) or ComfyUI (src/comfyui) for a job among them.
  'src/services': {
    from: ['src/domain', 'src/config', 'src/db', 'src/agents', 'src/comfyui', 'src/compositor', 'src/logger.ts'],
    banned: [...QUEUE, ...DISCORD, ...SERVERS],
  },
  'src/queue': {
    from: ['src/domain', 'src/config', 'src/db', 'src/services', 'src/logger.ts'],
    banned: [...DISCORD, ...SERVERS, ...MODEL],
  },
  // Discord messages as data, drawn by the bot and the worker alike: no database, no queue, no client.
  // The custom_id codec lives here: views encode the buttons' ids, the router decodes them.
  'src/views': {
    from: ['src/domain'],
    types: ['src/db', 'src/services', 'src/config'],
    banned: [...NODE_IO, ...DATABASE, ...QUEUE, ...SERVERS, ...MODEL, '@discordjs/rest'],
  },
  'src/ops': { from: ['src/config', 'src/db', 'src/logger.ts'], types: ['src/agents'], banned: [...DISCORD, ...MODEL] },
  'src/web': {
    from: ['src/domain', 'src/config', 'src/db', 'src/services', 'src/ops', 'src/logger.ts'],
    banned: [...QUEUE, ...DISCORD, ...MODEL, 'ws'],
  },
  // The bot; its command loader importing commands/ is the one arrow back up.
  'src/discord': {
    from: ['src/domain', 'src/config', 'src/db', 'src/services', 'src/queue', 'src/views', 'src/ops', 'src/logger.ts', 'commands'],
    banned: [...MODEL, 'ws'],
  },
  commands: {
    from: ['src/domain', 'src/config', 'src/services', 'src/views', 'src/discord', 'src/logger.ts'],
    banned: [...DATABASE, ...QUEUE, ...MODEL],
  },
  'src/worker': {
    from: [
      'src/domain',
      'src/config',
      'src/db',
      'src/agents',
      'src/services',
      'src/queue',
      'src/views',
      'src/comfyui',
      'src/compositor',
      'src/ops',
      'src/logger.ts',
    ],
    banned: ['hono'],
  },
  'src/cli': { from: ['src/domain', 'src/config', 'src/db', 'src/services', 'src/logger.ts'], banned: [...QUEUE, ...DISCORD, ...MODEL] },
};

const relative = (file) => path.relative(ROOT, file).split(path.sep).join('/');
const within = (file, folder) => file === folder || file.startsWith(`${folder}/`);
const layerOf = (file) =>
  Object.keys(LAYERS)
    .filter((folder) => within(file, folder))
    .sort((a, b) => b.length - a.length)[0];

/** @type {import('eslint').Rule.RuleModule} */
const allowedImports = {
  meta: {
    type: 'problem',
    schema: [],
    messages: {
      folder: '{{layer}} may not import {{target}} (README, Layout: {{why}})',
      pkg: '{{layer}} may not load {{pkg}} (README, Layout)',
    },
  },
  create(context) {
    const file = relative(context.filename);
    const layer = layerOf(file);
    if (!layer) return {};
    const rules = LAYERS[layer];
    const check = (node, spec, typeOnly) => {
      if (typeof spec !== 'string') return;
      if (!spec.startsWith('.')) {
        const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.startsWith('node:') ? spec : spec.split('/')[0];
        if (!typeOnly && (rules.banned ?? []).some((banned) => banned === pkg || banned === spec))
          context.report({ node, messageId: 'pkg', data: { layer, pkg: spec } });
        return;
      }
      const target = relative(path.resolve(path.dirname(context.filename), spec)).replace(/\.js$/, '.ts');
      if (within(target, layer)) return;
      const allowed = [...rules.from, ...(typeOnly ? (rules.types ?? []) : [])];
      if (allowed.some((folder) => within(target, folder))) return;
      // The shared root modules every process uses (logger, shutdown) are below every layer that lists them.
      const why = typeOnly
        ? 'not a layer it may name types from'
        : rules.types?.some((folder) => within(target, folder))
          ? 'types only'
          : 'not below it';
      context.report({ node, messageId: 'folder', data: { layer, target, why } });
    };
    const typeOnlyImport = (node) =>
      node.importKind === 'type' || (node.specifiers.length > 0 && node.specifiers.every((s) => s.importKind === 'type'));
    return {
      ImportDeclaration: (node) => check(node, node.source.value, typeOnlyImport(node)),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value, node.exportKind === 'type'),
      ExportAllDeclaration: (node) => check(node, node.source.value, node.exportKind === 'type'),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value, false),
    };
  },
};

export const layersPlugin = { rules: { 'allowed-imports': allowedImports } };
