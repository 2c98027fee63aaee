import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SdkReleaseDates, isFileOf } from './sdk-release-dates.js';

/** A PEP 691 simple index on loopback (port 0), as PyPI answers `Accept: application/vnd.pypi.simple.v1+json`. */
let server: http.Server;
let base = '';
const requests: string[] = [];
beforeAll(async () => {
  server = http.createServer((req, res) => {
    requests.push(`${req.url} ${req.headers.accept}`);
    if (req.url !== '/simple/gradio/') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/vnd.pypi.simple.v1+json' });
    res.end(
      JSON.stringify({
        files: [
          { filename: 'gradio-4.44.0-py3-none-any.whl', 'upload-time': '2024-09-12T10:00:00.000000Z' },
          { filename: 'gradio-4.44.1.tar.gz', 'upload-time': '2024-10-01T09:00:00.000000Z' },
          { filename: 'gradio-4.44.1-py3-none-any.whl', 'upload-time': '2024-09-30T20:12:13.5Z' },
          { filename: 'gradio-4.44.10-py3-none-any.whl', 'upload-time': '2024-01-01T00:00:00Z' },
          { filename: 'gradio-5.0.0-py3-none-any.whl' },
        ],
      }),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/simple`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('SdkReleaseDates', () => {
  it('is the earliest upload time of the release’s files, asked once', async () => {
    const dates = new SdkReleaseDates({ indexUrl: `${base}/` });
    expect((await dates.uploadedAt('Gradio', '4.44.1')).toISOString()).toBe('2024-09-30T20:12:13.500Z');
    await dates.uploadedAt('gradio', '4.44.1');
    expect(requests.filter((r) => r.startsWith('/simple/gradio/'))).toEqual(['/simple/gradio/ application/vnd.pypi.simple.v1+json']);
  });

  it('rejects, saying why, for a release without files or an index that does not know the package', async () => {
    const dates = new SdkReleaseDates({ indexUrl: base });
    await expect(dates.uploadedAt('gradio', '9.9.9')).rejects.toThrow(/lists no file of gradio 9\.9\.9/);
    await expect(dates.uploadedAt('streamlit', '1.20.0')).rejects.toThrow(/answered 404/);
  });

  it('matches wheels and sdists of the exact version, either spelling of the name', () => {
    expect(isFileOf('streamlit-1.24.0-py2.py3-none-any.whl', 'streamlit', '1.24.0')).toBe(true);
    expect(isFileOf('gradio_client-1.3.0.tar.gz', 'gradio-client', '1.3.0')).toBe(true);
    expect(isFileOf('gradio-4.44.10-py3-none-any.whl', 'gradio', '4.44.1')).toBe(false);
    expect(isFileOf('gradio_client-1.3.0.tar.gz', 'gradio', '1.3.0')).toBe(false);
  });
});
