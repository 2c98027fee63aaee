/**
 * Build Spaceport's base images from Debian packages, for operators and air-gapped sites
 * (`--python-image spaceport/python:3.9` or `:3.13` for the other Pythons):
 *
 *   npx tsx builder/base-images-cli.ts [--only python|node] [--force] [--mirror URL] [--security-mirror URL|none]
 *                                      [--cache-dir DIR] [--ca-bundle FILE|none] [--python-image REF] [--node-image REF]
 *                                      [--extra-python-packages a,b]
 *
 * Flags fall back to SPACEPORT_DEBIAN_MIRROR, SPACEPORT_DEBIAN_SECURITY_MIRROR, SPACEPORT_BASE_IMAGE_CACHE_DIR,
 * SPACEPORT_BUILD_CA_BUNDLE, SPACEPORT_BUILD_HTTP_PROXY / _HTTPS_PROXY / _NO_PROXY and SPACEPORT_DATA_DIR.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import Docker from 'dockerode';
import { z } from 'zod';
import { createLogger, isSpaceportError } from '../core/index.js';
import { DEFAULT_BASE_IMAGES, type BaseImageKind } from './base-image-specs.js';
import { ensureBaseImages } from './base-images.js';
import { debianSuiteOf } from './python-images.js';

const envSchema = z.object({
  SPACEPORT_DATA_DIR: z.string().default('.data'),
  SPACEPORT_DEBIAN_MIRROR: z.string().optional(),
  SPACEPORT_DEBIAN_SECURITY_MIRROR: z.string().optional(),
  SPACEPORT_BASE_IMAGE_CACHE_DIR: z.string().optional(),
  SPACEPORT_BUILD_CA_BUNDLE: z.string().optional(),
  SPACEPORT_BUILD_HTTP_PROXY: z.string().optional(),
  SPACEPORT_BUILD_HTTPS_PROXY: z.string().optional(),
  SPACEPORT_BUILD_NO_PROXY: z.string().optional(),
  SPACEPORT_LOG_LEVEL: z.string().default('info'),
});

async function main(argv: string[], env: Record<string, string | undefined>): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      only: { type: 'string' },
      force: { type: 'boolean', default: false },
      mirror: { type: 'string' },
      'security-mirror': { type: 'string' },
      'cache-dir': { type: 'string' },
      'ca-bundle': { type: 'string' },
      'python-image': { type: 'string', default: DEFAULT_BASE_IMAGES.python },
      'node-image': { type: 'string', default: DEFAULT_BASE_IMAGES.node },
      'extra-python-packages': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  const cfg = envSchema.parse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== '')));
  const logger = createLogger({ level: cfg.SPACEPORT_LOG_LEVEL });
  if (values.help) {
    process.stderr.write('usage: npx tsx builder/base-images-cli.ts [--only python|node] [--force] [--mirror URL] [--cache-dir DIR] ...\n');
    return 0;
  }
  if (values.only !== undefined && values.only !== 'python' && values.only !== 'node') {
    process.stderr.write(`--only must be python or node (got ${JSON.stringify(values.only)})\n`);
    return 2;
  }
  const kinds: BaseImageKind[] = values.only ? [values.only as BaseImageKind] : ['python', 'node'];
  const images = Object.fromEntries(kinds.map((k) => [k, k === 'python' ? values['python-image'] : values['node-image']]));
  const securityMirror = values['security-mirror'] ?? cfg.SPACEPORT_DEBIAN_SECURITY_MIRROR;
  const caBundle = values['ca-bundle'] ?? cfg.SPACEPORT_BUILD_CA_BUNDLE;

  const outcomes = await ensureBaseImages(new Docker(), images, logger, {
    force: values.force,
    mirror: values.mirror ?? cfg.SPACEPORT_DEBIAN_MIRROR,
    securityMirror: securityMirror === 'none' ? null : securityMirror,
    cacheDir: values['cache-dir'] ?? cfg.SPACEPORT_BASE_IMAGE_CACHE_DIR ?? path.join(cfg.SPACEPORT_DATA_DIR, 'cache', 'rootfs'),
    caBundle: caBundle === 'none' ? null : caBundle,
    proxy: { http: cfg.SPACEPORT_BUILD_HTTP_PROXY, https: cfg.SPACEPORT_BUILD_HTTPS_PROXY, noProxy: cfg.SPACEPORT_BUILD_NO_PROXY },
    // spaceport/python:3.9 and :3.13 come from bullseye and trixie, not the default suite.
    suites: Object.fromEntries(Object.values(images).flatMap((image) => (debianSuiteOf(image) ? [[image, debianSuiteOf(image)!]] : []))),
    extraPackages: { python: values['extra-python-packages']?.split(',').map((s) => s.trim()).filter(Boolean) },
    log: { write: (line) => void process.stderr.write(line) },
  });
  for (const o of outcomes) logger.info({ image: o.image, result: o.result }, 'base image ready');
  return 0;
}

main(process.argv.slice(2), process.env).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`${isSpaceportError(err) ? err.message : String((err as Error)?.stack ?? err)}\n`);
    process.exitCode = 1;
  },
);
