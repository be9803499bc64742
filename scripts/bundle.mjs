// The bot and the worker as one file each (dist/bundle/bot.js, dist/bundle/worker.js), bundled by esbuild
// from tsc's output in dist/src/. Node keeps a record, a namespace and a compiled wrapper for every
// module it loads; about 1,300 modules cost the unbundled worker about 25 MiB resident at start-up,
// one file does not (docs/deploy.md, "Memory and CPU"). Run after `tsc -p tsconfig.build.json`.
import { dirname } from 'node:path';
import { build } from 'esbuild';

// Loaded at run time from node_modules, as before bundling:
// - gpt-tokenizer (about 65 MiB of tables) is required on first use only (src/agents/tokens.ts);
// - ws is imported with the first ComfyUI render, and by discord.js in the bot;
// - optional native add-ons the packages try and do without (pg-native, zlib-sync, bufferutil…).
// - @napi-rs/canvas (Skia, a native add-on the letterer draws with) loads its .node binary itself.
const EXTERNAL = ['gpt-tokenizer', 'ws', '@napi-rs/canvas', 'pg-native', 'zlib-sync', 'bufferutil', 'utf-8-validate', 'msgpackr-extract'];

// CommonJS packages that storyroom's own ES modules import. Bundled as found, every importing module
// would get a copy of the package's exports of its own (esbuild's interop: one getter per export, and
// discord.js has hundreds, imported by sixteen modules), and the builders, formatters and util, which
// discord.js requires as CommonJS, would also be bundled a second time as their ES module builds. Each
// instead goes through one facade module that re-exports its CommonJS build: one copy for everyone.
const FACADES = ['discord.js', '@discordjs/builders', '@discordjs/formatters', '@discordjs/util', '@sapphire/shapeshift'];
const oneCopy = {
  name: 'one-copy',
  setup(bundler) {
    const filter = new RegExp(`^(${FACADES.map((name) => name.replace(/[/.]/g, '\\$&')).join('|')})$`);
    bundler.onResolve({ filter }, async (args) => {
      if (args.kind === 'require-call') return undefined;
      const commonJs = await bundler.resolve(args.path, { kind: 'require-call', resolveDir: args.resolveDir, importer: args.importer });
      return commonJs.errors.length > 0 ? commonJs : { path: commonJs.path, namespace: 'facade' };
    });
    bundler.onLoad({ filter: /.*/, namespace: 'facade' }, (args) => ({
      contents: `export * from ${JSON.stringify(args.path)};`,
      resolveDir: dirname(args.path),
    }));
  },
};

await build({
  entryPoints: { bot: 'dist/src/bot.js', worker: 'dist/src/worker.js' },
  outdir: 'dist/bundle',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: EXTERNAL,
  plugins: [oneCopy],
  // CommonJS packages inside an ES module file still call require() for Node's built-ins, and a few
  // name __dirname or __filename (in error stacks, or on paths storyroom does not take).
  banner: {
    js: [
      "import { createRequire as __bundleRequire } from 'node:module';",
      "import { fileURLToPath as __bundleFileURLToPath } from 'node:url';",
      'const require = __bundleRequire(import.meta.url);',
      'const __filename = __bundleFileURLToPath(import.meta.url);',
      "const __dirname = __bundleFileURLToPath(new URL('.', import.meta.url));",
    ].join('\n'),
  },
  // Class and function names stay as written: logs and errors report them (err.type, error.name).
  keepNames: true,
  // Without comments, and with the licence comments in a file beside it (bot.js.LEGAL.txt): V8 keeps
  // a file's source while the process runs, and one non-ASCII character in a comment would make it
  // keep the whole bundle as two bytes a character. Identifiers stay as written, so stack traces read.
  minifyWhitespace: true,
  legalComments: 'linked',
  // Read only with NODE_OPTIONS=--enable-source-maps; they map back to the TypeScript through tsc's maps.
  sourcemap: 'linked',
  logLevel: 'warning',
});
