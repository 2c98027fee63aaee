#!/usr/bin/env node
import { createLogger, isSpaceportError, parseConfig, type Config, type Logger } from '../core/index.js';
import { dockerAdapters, knownBaseImages } from '../controller/docker-adapters.js';
import { kubernetesAdapters } from '../controller/kubernetes-adapters.js';
import { startSpaceport } from '../controller/main.js';
import { flagsToEnv } from './flags.js';
import { PASSWD_USAGE, runPasswd } from './passwd-command.js';
import { PROXY_USAGE, runProxy } from './proxy-command.js';

const USAGE = `Usage:
  spaceport up [--port 8080] [--domain localhost] [--data-dir .data] [--admin-token TOKEN] [--log-level info]
  spaceport base-images      build the Python and Node base images from Debian packages (no registry needed)
${PASSWD_USAGE}
${PROXY_USAGE}
Every option is also an environment variable (SPACEPORT_PORT, SPACEPORT_DOMAIN, …): see README.md.
`;

function fail(text: string): never {
  process.stderr.write(`${text.endsWith('\n') ? text : `${text}\n`}`);
  process.exit(1);
}

function loadConfig(args: string[]): Readonly<Config> {
  const flags = flagsToEnv(args);
  if (!flags.ok) fail(`${flags.problem}\n\n${USAGE}`);
  const result = parseConfig({ ...process.env, ...flags.env });
  if (!result.ok) fail(`spaceport: invalid settings:\n${result.problems.map((p) => `  - ${p}`).join('\n')}`);
  return result.config;
}

async function up(config: Readonly<Config>, logger: Logger): Promise<void> {
  const adapters = config.SPACEPORT_RUNTIME === 'kubernetes' ? await kubernetesAdapters(config, logger) : await dockerAdapters(config, logger);
  const sp = await startSpaceport(config, logger, adapters);
  process.stdout.write(`\nSpaceport is up: API and git at ${config.publicUrl}, Spaces at http://{owner}-{name}.${config.SPACEPORT_DOMAIN}:${sp.port}\n`);
  process.stdout.write(
    `Web UI: ${config.publicUrl}/ (sign in as "${config.SPACEPORT_ADMIN_USER}" with SPACEPORT_ADMIN_PASSWORD, or set a password: npx tsx cli/spaceport.ts passwd ${config.SPACEPORT_ADMIN_USER})\n`,
  );
  if (sp.generatedAdminToken) {
    process.stdout.write(
      `\nAdmin token for "${config.SPACEPORT_ADMIN_USER}" (shown once, stored only hashed; keep it):\n\n    ${sp.generatedAdminToken}\n\n` +
        `Try: HF_ENDPOINT=${config.publicUrl} HF_TOKEN=<token> python -c "from huggingface_hub import whoami; print(whoami())"\n\n`,
    );
  }
  const stop = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    void sp.close().then(() => process.exit(0));
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

async function baseImages(config: Readonly<Config>, logger: Logger): Promise<void> {
  const adapters = await dockerAdapters(config, logger);
  const images = knownBaseImages(config).map((k) => k.image);
  await adapters.builder.ensureBaseImages?.(images, { write: (s: string) => process.stdout.write(s) });
  await adapters.runtime.close();
}

async function main(): Promise<void> {
  const [command, ...args] = process.argv.slice(2);
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(USAGE);
    return;
  }
  if (command === 'proxy') return runProxy(args, fail);
  if (command === 'passwd') return runPasswd(args, fail);
  if (command !== 'up' && command !== 'base-images') fail(`Unknown command "${command}".\n\n${USAGE}`);
  const config = loadConfig(args);
  const logger = createLogger({ level: config.SPACEPORT_LOG_LEVEL });
  try {
    if (command === 'up') await up(config, logger);
    else await baseImages(config, logger);
  } catch (err) {
    if (isSpaceportError(err)) fail(`spaceport: ${err.message}`);
    throw err;
  }
}

void main();
