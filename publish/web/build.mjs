// Bundle the web map into dist/: index.html, app-<hash>.js, app-<hash>.css
// and their precompressed .br/.gz copies. Same sources => same bytes.

import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const ROOT = dirname(fileURLToPath(import.meta.url));
const DIST = join(ROOT, 'dist');
const COMPRESS = /\.(js|css|html|svg|json|webmanifest)$/;

rmSync(DIST, { recursive: true, force: true });
mkdirSync(DIST, { recursive: true });

const result = await build({
  entryPoints: { app: join(ROOT, 'src/main.js') },
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2020'],
  outdir: DIST,
  entryNames: '[name]-[hash]',
  assetNames: 'assets/[name]-[hash]',
  loader: { '.png': 'file', '.svg': 'file' },
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
});

const outputs = Object.keys(result.metafile.outputs).map((p) => relative(DIST, join(process.cwd(), p)));
const js = outputs.find((p) => p.endsWith('.js'));
const css = outputs.find((p) => p.endsWith('.css'));
const html = readFileSync(join(ROOT, 'src/index.html'), 'utf8')
  .replace('href="app.css"', `href="${css}"`)
  .replace('src="app.js"', `src="${js}"`);
writeFileSync(join(DIST, 'index.html'), html);
// the default configuration (a basemap); a province edits dist/config.json
copyFileSync(join(ROOT, 'src/config.json'), join(DIST, 'config.json'));
// the installable web app: its manifest and icon, and the service worker at
// the site's root (its scope), unhashed, told which files make the app shell
// and which build it belongs to (a new build installs a new worker)
copyFileSync(join(ROOT, 'src/manifest.webmanifest'), join(DIST, 'manifest.webmanifest'));
copyFileSync(join(ROOT, 'src/icon.svg'), join(DIST, 'icon.svg'));
const shell = ['./', js, css, 'config.json', 'manifest.webmanifest', 'icon.svg',
  ...outputs.filter((p) => p.startsWith('assets/'))];
const shellVersion = createHash('sha256').update(readFileSync(join(DIST, js)))
  .update(readFileSync(join(DIST, css))).update(html).digest('hex').slice(0, 16);
// the wire contract's grammars, generated from the model by `make web`
// (python -m covidmaps_plugin.model.wire > src/generated/wire.json)
const wire = JSON.parse(readFileSync(join(ROOT, 'src/generated/wire.json'), 'utf8'));
const swSource = readFileSync(join(ROOT, 'src/sw.js'), 'utf8')
  .replace("'__BUILD_VERSION__'", JSON.stringify(shellVersion))
  .replace('__SHELL_FILES__', JSON.stringify(shell))
  .replace('__IMMUTABLE_DATA__', JSON.stringify(wire.immutable_data));
const sw = await build({
  stdin: { contents: swSource, loader: 'js', resolveDir: join(ROOT, 'src') },
  bundle: false, minify: true, format: 'iife', target: ['es2020'], write: false, legalComments: 'none',
});
writeFileSync(join(DIST, 'sw.js'), sw.outputFiles[0].contents);

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

const sizes = {};
for (const path of walk(DIST)) {
  if (!COMPRESS.test(path)) continue;
  const bytes = readFileSync(path);
  const br = brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } });
  writeFileSync(`${path}.br`, br);
  writeFileSync(`${path}.gz`, gzipSync(bytes, { level: 9 }));
  sizes[relative(DIST, path)] = { raw: bytes.length, br: br.length };
}
// the budget counts the service worker too (a phone downloads it as well)
const shipped = [js, css, 'sw.js'].reduce((sum, p) => sum + sizes[p].br, 0);
writeFileSync(join(DIST, 'build-info.json'), `${JSON.stringify({ js, css, sw: 'sw.js', sizes, js_css_brotli: shipped }, null, 2)}\n`);
const digest = createHash('sha256').update(readFileSync(join(DIST, js))).digest('hex').slice(0, 12);
console.log(`web map built: ${js} + ${css} + sw.js = ${(shipped / 1024).toFixed(1)} KiB brotli (js sha ${digest})`);
