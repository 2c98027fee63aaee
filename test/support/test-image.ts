/**
 * A tiny local image for runtime tests, made without any registry: Debian's static busybox
 * (`apt-get install -y busybox-static`) plus a start script, imported with the Docker API
 * (`POST /images/create?fromSrc=-`, what `docker import` does).
 *
 * The app (the contract's test app, see controller/runtime/testing/runtime-contract.ts):
 * - prints `listening on $PORT`, then `busybox httpd` serves on $PORT (default 7860);
 *   `GET /cgi-bin/env` answers the environment as KEY=VALUE lines and logs `request {uri}` to stderr;
 *   `GET /cgi-bin/data?write=TEXT` appends TEXT as a line to `/data/notes` (persistent storage), and
 *   `GET /cgi-bin/data` answers that file (`cannot write /data/notes` when the write failed);
 * - `CRASH=1`: prints two lines (stdout, stderr) and exits with `CRASH_CODE` (default 3);
 * - `OOM=1`: reads 256 MiB into a shell variable (to be killed by a smaller memory limit).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Dockerode from 'dockerode';
import tar from 'tar-stream';

export const TEST_IMAGE = 'spaceport-test/busybox:1';
export const TEST_IMAGE_PORT = 7860;
const BUSYBOX = '/bin/busybox';
const HASH_LABEL = 'spaceport.test-image-hash';
const APPLETS = ['sh', 'httpd', 'env', 'cat', 'head', 'tr', 'sleep', 'echo', 'printf', 'ls'];

const START_SH = `#!/bin/sh
if [ "$OOM" = "1" ]; then
  echo "allocating"
  x=$(head -c 268435456 /dev/zero | tr '\\0' x)
  echo "survived \${#x}"
  exit 0
fi
if [ "$CRASH" = "1" ]; then
  echo "crash output line 1"
  echo "crash output line 2 to stderr" >&2
  exit "\${CRASH_CODE:-3}"
fi
echo "listening on \${PORT:-${TEST_IMAGE_PORT}}"
exec httpd -f -v -p "0.0.0.0:\${PORT:-${TEST_IMAGE_PORT}}" -h /www
`;

const ENV_CGI = `#!/bin/sh
echo "request $REQUEST_URI" >&2
printf 'Content-Type: text/plain\\r\\n\\r\\n'
env
`;

const DATA_CGI = `#!/bin/sh
printf 'Content-Type: text/plain\\r\\n\\r\\n'
case "$QUERY_STRING" in
  write=*) echo "\${QUERY_STRING#write=}" >> /data/notes || echo "cannot write /data/notes" ;;
esac
cat /data/notes 2>/dev/null
`;

const INDEX_HTML = '<!doctype html><title>spaceport test app</title><p>ok</p>\n';

/** Does this 64-bit little-endian ELF binary ask for a dynamic loader (a PT_INTERP program header)? */
function hasInterpreter(elf: Buffer): boolean {
  if (elf.length < 64 || elf.readUInt32BE(0) !== 0x7f454c46 || elf[4] !== 2 || elf[5] !== 1) return true;
  const phoff = Number(elf.readBigUInt64LE(0x20));
  const phentsize = elf.readUInt16LE(0x36);
  const phnum = elf.readUInt16LE(0x38);
  for (let i = 0; i < phnum; i++) {
    if (elf.readUInt32LE(phoff + i * phentsize) === 3) return true;
  }
  return false;
}

function readBusybox(): Buffer {
  let bin: Buffer;
  try {
    bin = readFileSync(BUSYBOX);
  } catch (err) {
    throw new Error(`${BUSYBOX} is missing: install it with \`apt-get install -y busybox-static\``, { cause: err });
  }
  if (hasInterpreter(bin)) {
    throw new Error(`${BUSYBOX} is dynamically linked: install the static one with \`apt-get install -y busybox-static\``);
  }
  return bin;
}

async function rootfsTar(busybox: Buffer): Promise<Buffer> {
  const pack = tar.pack();
  const dir = (name: string, mode = 0o755): void => {
    pack.entry({ name, type: 'directory', mode });
  };
  const file = (name: string, content: string | Buffer, mode = 0o644): void => {
    pack.entry({ name, mode }, content);
  };
  dir('bin');
  file('bin/busybox', busybox, 0o755);
  for (const applet of APPLETS) pack.entry({ name: `bin/${applet}`, type: 'symlink', linkname: 'busybox' });
  dir('app');
  file('app/start.sh', START_SH, 0o755);
  dir('www');
  file('www/index.html', INDEX_HTML);
  dir('www/cgi-bin');
  file('www/cgi-bin/env', ENV_CGI, 0o755);
  file('www/cgi-bin/data', DATA_CGI, 0o755);
  dir('tmp', 0o1777);
  dir('dev');
  dir('proc');
  dir('sys');
  dir('etc');
  file('etc/passwd', 'root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/tmp:/bin/sh\n');
  file('etc/group', 'root:x:0:\nuser:x:1000:\n');
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function imageHash(docker: Dockerode, ref: string): Promise<string | undefined> {
  try {
    const info = await docker.getImage(ref).inspect();
    return info.Config?.Labels?.[HASH_LABEL];
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return undefined;
    throw err;
  }
}

async function importImage(docker: Dockerode, rootfs: Buffer, ref: string, hash: string): Promise<void> {
  const [repo, tag] = ref.split(':') as [string, string];
  const stream = await docker.importImage(rootfs as unknown as NodeJS.ReadableStream, {
    repo,
    tag,
    changes: [
      `LABEL ${HASH_LABEL}=${hash}`,
      `ENV PORT=${TEST_IMAGE_PORT}`,
      `EXPOSE ${TEST_IMAGE_PORT}`,
      'WORKDIR /tmp',
      'CMD ["/app/start.sh"]',
    ],
  } as Record<string, unknown>);
  const events: Array<{ error?: string; errorDetail?: { message?: string } }> = await new Promise((resolve, reject) =>
    docker.modem.followProgress(stream, (err: Error | null, out: unknown[]) => (err ? reject(err) : resolve(out as never))),
  );
  const failed = events.find((e) => e.error || e.errorDetail);
  if (failed) throw new Error(`importing ${ref} failed: ${failed.error ?? failed.errorDetail?.message}`);
}

/**
 * Build `spaceport-test/busybox:1` once (again only when its content changed) and return its
 * reference. Also tags `extraTags` (same image, other names), e.g. to test image replacement.
 */
export async function ensureTestImage(docker: Dockerode = new Dockerode(), extraTags: string[] = []): Promise<string> {
  const busybox = readBusybox();
  const hash = createHash('sha256').update(busybox).update(START_SH).update(ENV_CGI).update(DATA_CGI).update(INDEX_HTML).update(APPLETS.join(',')).digest('hex').slice(0, 16);
  if ((await imageHash(docker, TEST_IMAGE)) !== hash) {
    await importImage(docker, await rootfsTar(busybox), TEST_IMAGE, hash);
  }
  for (const ref of extraTags) {
    if ((await imageHash(docker, ref)) === hash) continue;
    const [repo, tag] = ref.split(':') as [string, string];
    await docker.getImage(TEST_IMAGE).tag({ repo, tag });
  }
  return TEST_IMAGE;
}
