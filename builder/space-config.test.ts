import { describe, expect, it } from 'vitest';
import { parseSpaceConfig } from './space-config.js';

const fm = (body: string) => `---\n${body}\n---\n# My Space\n`;
const ADD = 'Add this block at the very top of README.md (use gradio, streamlit, docker or static):\n---\nsdk: static\n---';

describe('parseSpaceConfig: rejected READMEs name the field, the value and the fix', () => {
  const cases: [string, string | undefined, string][] = [
    ['missing README', undefined, `README.md is missing. ${ADD}`],
    ['no front matter', '# Title\n\nText', `README.md has no YAML front matter. ${ADD}`],
    ['front matter not at the top', '# Title\n---\nsdk: static\n---\n', `README.md has no YAML front matter. ${ADD}`],
    ['empty front matter', '---\n---\n', 'README.md front matter: "sdk" is required: add a line "sdk: gradio", "sdk: streamlit", "sdk: docker" or "sdk: static".'],
    ['sdk typo', fm('sdk: gradoi'), 'README.md front matter: "sdk" must be one of gradio, streamlit, docker, static (got "gradoi").'],
    ['sdk not a string', fm('sdk: 3'), 'README.md front matter: "sdk" must be one of gradio, streamlit, docker, static (got 3).'],
    ['colorFrom', fm('sdk: static\ncolorFrom: teal'), 'README.md front matter: "colorFrom" must be one of red, yellow, green, blue, indigo, purple, pink, gray (got "teal").'],
    ['colorTo', fm('sdk: static\ncolorTo: Blue'), 'README.md front matter: "colorTo" must be one of red, yellow, green, blue, indigo, purple, pink, gray (got "Blue").'],
    ['python_version', fm('sdk: gradio\npython_version: "2.7"'), 'README.md front matter: "python_version" must be a Python version like 3.11 or 3.11.9 (got "2.7").'],
    ['python_version words', fm('sdk: gradio\npython_version: latest'), 'README.md front matter: "python_version" must be a Python version like 3.11 or 3.11.9 (got "latest").'],
    ['app_port too big', fm('sdk: docker\napp_port: 70000'), 'README.md front matter: "app_port" must be a port number from 1 to 65535 (got 70000).'],
    ['app_port a string', fm('sdk: docker\napp_port: "8080"'), 'README.md front matter: "app_port" must be a port number from 1 to 65535 (got "8080").'],
    ['app_port not whole', fm('sdk: docker\napp_port: 80.5'), 'README.md front matter: "app_port" must be a port number from 1 to 65535 (got 80.5).'],
    ['app_file with ..', fm('sdk: gradio\napp_file: ../etc/passwd'), 'README.md front matter: "app_file" must be a relative path inside the repo, like app.py or src/app.py (no leading "/", no "..") (got "../etc/passwd").'],
    ['app_file absolute', fm('sdk: gradio\napp_file: /app.py'), 'README.md front matter: "app_file" must be a relative path inside the repo, like app.py or src/app.py (no leading "/", no "..") (got "/app.py").'],
    ['startup timeout', fm('sdk: gradio\nstartup_duration_timeout: soon'), 'README.md front matter: "startup_duration_timeout" must be a duration like 30m, 1h, 1h30m or 90s (got "soon").'],
    ['startup timeout number', fm('sdk: gradio\nstartup_duration_timeout: 30'), 'README.md front matter: "startup_duration_timeout" must be a string (got 30).'],
    ['custom header value', fm('sdk: static\ncustom_headers:\n  cross-origin-opener-policy: Same-Origin'), 'README.md front matter: "custom_headers.cross-origin-opener-policy" must be one of same-origin, same-origin-allow-popups, unsafe-none (got "Same-Origin").'],
    ['custom header name', fm('sdk: static\ncustom_headers:\n  x-frame-options: deny'), 'README.md front matter: "custom_headers" may only set cross-origin-embedder-policy, cross-origin-opener-policy, cross-origin-resource-policy (got "x-frame-options").'],
    ['base_path', fm('sdk: gradio\nbase_path: docs'), 'README.md front matter: "base_path" must start with "/", like /docs (got "docs").'],
    ['emoji', fm('sdk: static\nemoji: rocket'), 'README.md front matter: "emoji" must be an emoji, like 🚀 (got "rocket").'],
    ['sdk_version with a shell', fm('sdk: gradio\nsdk_version: "5.0; rm -rf /"'), 'README.md front matter: "sdk_version" must be a version number, like 5.9.1 (got "5.0; rm -rf /").'],
    ['app_build_command on gradio', fm('sdk: gradio\napp_build_command: npm run build'), 'README.md front matter: "app_build_command" is only for sdk: static (got sdk "gradio"); remove it or build in your Dockerfile.'],
    ['app_build_command two lines', fm('sdk: static\napp_build_command: "npm ci\\nnpm run build"'), 'README.md front matter: "app_build_command" must be a single line (a shell command like npm run build) (got "npm ci\\nnpm run build").'],
    ['hf_oauth not bool', fm('sdk: gradio\nhf_oauth: yes please'), 'README.md front matter: "hf_oauth" must be true or false (got "yes please").'],
    ['oauth expiration', fm('sdk: gradio\nhf_oauth_expiration_minutes: 50000'), 'README.md front matter: "hf_oauth_expiration_minutes" must be a whole number of minutes from 1 to 43200 (got 50000).'],
    ['tags not strings', fm('sdk: static\ntags: [1, 2]'), 'README.md front matter: "tags" must be a list of strings (got [1,2]).'],
    ['not a mapping', fm('- sdk: static'), 'README.md front matter must be a YAML mapping of keys to values, like "sdk: static".'],
    ['broken YAML', fm('sdk: static\ntitle: [unclosed'), 'README.md front matter is not valid YAML (line 3, column 17): Flow sequence in block collection must be sufficiently indented and end with a ]'],
    ['duplicate key', fm('sdk: static\nsdk: gradio'), 'README.md front matter is not valid YAML (line 3, column 1): Map keys must be unique'],
    ['two problems', fm('sdk: docker\ncolorFrom: teal\napp_port: 0'), 'README.md front matter: "colorFrom" must be one of red, yellow, green, blue, indigo, purple, pink, gray (got "teal").\nREADME.md front matter: "app_port" must be a port number from 1 to 65535 (got 0).'],
  ];
  it.each(cases)('%s', (_name, readme, message) => {
    expect(parseSpaceConfig(readme)).toEqual({ ok: false, message });
  });
});

describe('parseSpaceConfig: accepted READMEs', () => {
  it('applies the Hub defaults per SDK', () => {
    const expectDefaults = (sdk: string, app_file: string, app_port: number) => {
      const r = parseSpaceConfig(fm(`sdk: ${sdk}`));
      expect(r).toEqual({
        ok: true,
        config: { sdk, app_file, app_port, startup_duration_timeout: '30m', startupTimeoutMs: 30 * 60_000 },
        cardData: { sdk },
      });
    };
    expectDefaults('gradio', 'app.py', 7860);
    expectDefaults('streamlit', 'app.py', 8501);
    expectDefaults('static', 'index.html', 8080);
    expectDefaults('docker', 'app.py', 7860);
  });

  it('reads resolve_packages_at: commit, latest or a date, and names the choices otherwise', () => {
    for (const v of ['commit', 'latest', '2024-06-01', '2024-06-01T12:00:00Z', '2024-06-01T12:00:00+02:00']) {
      const r = parseSpaceConfig(fm(`sdk: gradio\nresolve_packages_at: ${v}`));
      expect(r.ok && r.config.resolve_packages_at, v).toBe(v);
    }
    for (const v of ['yesterday', '2024-13-45', '"1.0"']) {
      const r = parseSpaceConfig(fm(`sdk: gradio\nresolve_packages_at: ${v}`));
      expect(r.ok, v).toBe(false);
      expect(!r.ok && r.message, v).toMatch(/^README\.md front matter: "resolve_packages_at" must be "commit" \(the default: packages as of the last commit that changed README\.md or a requirements file\), "latest" \(the newest packages\), or a date like 2024-06-01/);
    }
  });

  it('reads version numbers as written, not as YAML floats', () => {
    const r = parseSpaceConfig(fm('sdk: gradio\nsdk_version: 4.40\npython_version: 3.10'));
    expect(r.ok && r.config.sdk_version).toBe('4.40');
    expect(r.ok && r.config.python_version).toBe('3.10');
    expect(r.ok && r.cardData.python_version).toBe('3.10');
  });

  it('keeps unknown fields in cardData and the known ones in the config', () => {
    const readme = fm(
      [
        'title: Demo',
        'emoji: 🚀',
        'colorFrom: indigo',
        'colorTo: pink',
        'sdk: docker',
        'app_port: 8000',
        'pinned: false',
        'license: mit',
        'short_description: A demo',
        'tags: [a, b]',
        'models: openai/whisper',
        'hf_oauth: true',
        'hf_oauth_scopes: [read-repos]',
        'startup_duration_timeout: 1h30m',
        'custom_headers:',
        '  cross-origin-embedder-policy: require-corp',
        'base_path: /docs',
        'metaTitle: Something new',
      ].join('\n'),
    );
    const r = parseSpaceConfig(readme);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config).toMatchObject({
      title: 'Demo',
      emoji: '🚀',
      colorFrom: 'indigo',
      colorTo: 'pink',
      sdk: 'docker',
      app_port: 8000,
      pinned: false,
      license: 'mit',
      tags: ['a', 'b'],
      models: ['openai/whisper'],
      hf_oauth: true,
      hf_oauth_scopes: ['read-repos'],
      startup_duration_timeout: '1h30m',
      startupTimeoutMs: 90 * 60_000,
      custom_headers: { 'cross-origin-embedder-policy': 'require-corp' },
      base_path: '/docs',
    });
    expect(r.config).not.toHaveProperty('metaTitle');
    expect(r.cardData.metaTitle).toBe('Something new');
    expect(r.cardData.models).toBe('openai/whisper');
  });

  it('ignores app_port outside docker: the template decides the port', () => {
    const r = parseSpaceConfig(fm('sdk: gradio\napp_port: 9000'));
    expect(r.ok && r.config.app_port).toBe(7860);
  });

  it('normalizes app_file and accepts static build commands', () => {
    const r = parseSpaceConfig(fm('sdk: static\napp_file: ./dist/index.html\napp_build_command: npm run build'));
    expect(r.ok && r.config.app_file).toBe('dist/index.html');
    expect(r.ok && r.config.app_build_command).toBe('npm run build');
  });

  it('accepts CRLF line endings, a BOM and a README that is only front matter', () => {
    expect(parseSpaceConfig('\uFEFF---\r\nsdk: static\r\n---\r\n').ok).toBe(true);
    expect(parseSpaceConfig('---\nsdk: static\n---').ok).toBe(true);
  });

  it('uses another file name in messages when asked', () => {
    expect(parseSpaceConfig(undefined, { fileName: 'README' })).toEqual({ ok: false, message: `README is missing. ${ADD}` });
  });
});
