import { createHash } from 'node:crypto';
import { COLORS } from '../../builder/index.js';
import { sdkTraits } from '../../templates/index.js';
import type { Sdk } from '../store/records.js';

/**
 * The Hub's `.gitattributes` of a new repository: its default LFS patterns (archives, model and
 * array formats, TensorBoard event files), so `git add` of such a file sends it through LFS.
 */
export const HUB_GITATTRIBUTES = [
  '*.7z', '*.arrow', '*.bin', '*.bz2', '*.ckpt', '*.ftz', '*.gz', '*.h5', '*.joblib', '*.lfs.*', '*.mlmodel', '*.model',
  '*.msgpack', '*.npy', '*.npz', '*.onnx', '*.ot', '*.parquet', '*.pb', '*.pickle', '*.pkl', '*.pt', '*.pth', '*.rar',
  '*.safetensors', 'saved_model/**/*', '*.tar.*', '*.tar', '*.tflite', '*.tgz', '*.wasm', '*.xz', '*.zip', '*.zst', '*tfevents*',
]
  .map((pattern) => `${pattern} filter=lfs diff=lfs merge=lfs -text\n`)
  .join('');

const EMOJIS = ['🚀', '🐢', '🦀', '🐨', '🌍', '🔥', '📊', '🎨', '🧪', '🏃', '🌖', '💻', '🐠', '🦉', '🍄', '📚'];

/** A stable pick from `list` for this name (the Hub picks at random; stable keeps tests exact). */
function pick<T>(list: readonly T[], name: string, salt: string): T {
  const n = createHash('sha256').update(`${salt}:${name}`).digest().readUInt32BE(0);
  return list[n % list.length]!;
}

function readme(sdk: Sdk, name: string): string {
  const colorFrom = pick(COLORS, name, 'from');
  const colorTo = pick(COLORS.filter((c) => c !== colorFrom), name, 'to');
  const appFile = sdk === 'gradio' || sdk === 'streamlit' ? [`app_file: ${sdkTraits(sdk).defaultAppFile}`] : [];
  return [
    '---',
    `title: ${JSON.stringify(name)}`,
    `emoji: ${pick(EMOJIS, name, 'emoji')}`,
    `colorFrom: ${colorFrom}`,
    `colorTo: ${colorTo}`,
    `sdk: ${sdk}`,
    ...appFile,
    'pinned: false',
    '---',
    '',
    'Check out the configuration reference at https://huggingface.co/docs/hub/spaces-config-reference',
    '',
  ].join('\n');
}

const STATIC_INDEX = `<!doctype html>
<html>
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width" />
    <title>My static Space</title>
    <link rel="stylesheet" href="style.css" />
  </head>
  <body>
    <div class="card">
      <h1>Welcome to your static Space!</h1>
      <p>You can modify this app directly by editing <i>index.html</i>, or push your own files with git.</p>
    </div>
  </body>
</html>
`;

const STATIC_STYLE = `body {
  padding: 2rem;
  font-family: -apple-system, BlinkMacSystemFont, "Arial", sans-serif;
}

.card {
  max-width: 620px;
  margin: 0 auto;
  padding: 16px;
  border: 1px solid lightgray;
  border-radius: 16px;
}
`;

/**
 * The files of a new Space's first commit, as the Hub makes it: `.gitattributes` (the Hub's LFS
 * patterns) and a README.md whose front matter carries title, emoji, colours, sdk (and app_file for
 * the Python SDKs) and `pinned: false`. No `sdk_version`: the builder's default for an unpinned
 * README is the newest release at the commit's date, which is what the Hub writes in. A starter app
 * only where the Hub adds one: `index.html` and `style.css` for static; none for gradio, streamlit
 * (the Hub's API adds none) and docker (a Dockerfile is the app; NO_APP_FILE until one is pushed).
 */
export function initialFiles(sdk: Sdk, name: string): Record<string, Buffer> {
  const files: Record<string, string> = { '.gitattributes': HUB_GITATTRIBUTES, 'README.md': readme(sdk, name) };
  if (sdk === 'static') Object.assign(files, { 'index.html': STATIC_INDEX, 'style.css': STATIC_STYLE });
  return Object.fromEntries(Object.entries(files).map(([k, v]) => [k, Buffer.from(v)]));
}
