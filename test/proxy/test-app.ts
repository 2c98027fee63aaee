import { createHash } from 'node:crypto';
import http from 'node:http';
import { WebSocketServer } from 'ws';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { closeServer, listen, runningRoute, type ProxyHarness } from './harness.js';

/** An app with the endpoints the proxy tests need, and hooks to observe and drive it. */
export class TestApp {
  readonly server: http.Server;
  readonly wss: WebSocketServer;
  port = 0;
  readonly closedRequests: string[] = [];
  lastHeaders: http.IncomingHttpHeaders = {};
  upgradeHeaders: http.IncomingHttpHeaders = {};
  sse: http.ServerResponse | undefined;
  releaseUpload: (() => void) | undefined;
  uploadHash: string | undefined;

  constructor(readonly name: string) {
    this.wss = new WebSocketServer({ noServer: true });
    this.wss.on('connection', (ws) => {
      ws.on('message', (data, binary) => ws.send(binary ? data : `echo:${data.toString()}`, { binary }));
      ws.send(`welcome from ${name}`);
    });
    this.server = http.createServer((req, res) => this.#handle(req, res));
    this.server.on('upgrade', (req, socket, head) => {
      this.upgradeHeaders = req.headers;
      if (req.url === '/no-ws') {
        socket.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 2\r\n\r\nno');
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.wss.emit('connection', ws, req));
    });
  }

  async start(): Promise<this> {
    this.port = await listen(this.server);
    return this;
  }

  async close(): Promise<void> {
    for (const c of this.wss.clients) c.terminate();
    this.wss.close();
    await closeServer(this.server);
  }

  #handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    this.lastHeaders = req.headers;
    const url = req.url ?? '/';
    if (url.startsWith('/hello')) {
      res.end(`hello from ${this.name} ${url}`);
    } else if (url === '/headers') {
      res.setHeader('content-type', 'application/json');
      res.setHeader('connection', 'keep-alive, x-private-hop');
      res.setHeader('x-private-hop', 'secret');
      res.end(JSON.stringify(req.headers));
    } else if (url === '/status/404' || url === '/status/500') {
      res.statusCode = Number(url.slice(-3));
      res.end('nope');
    } else if (url === '/upload') {
      // Read nothing until the test releases us: the client must stall, not the proxy buffer.
      const hash = createHash('sha256');
      let bytes = 0;
      this.releaseUpload = () => {
        req.on('data', (c: Buffer) => {
          bytes += c.length;
          hash.update(c);
        });
        req.on('end', () => {
          this.uploadHash = hash.digest('hex');
          res.end(String(bytes));
        });
      };
    } else if (url === '/sse') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.flushHeaders();
      this.sse = res;
    } else if (url === '/truncated') {
      res.writeHead(200, { 'content-length': '100000' });
      res.write(Buffer.alloc(1000, 97));
      setTimeout(() => req.socket.destroy(), 20);
    } else if (url === '/echo-body') {
      const parts: Buffer[] = [];
      req.on('data', (c: Buffer) => parts.push(c));
      req.on('end', () => res.end(Buffer.concat(parts)));
    } else if (url === '/hang') {
      req.on('close', () => this.closedRequests.push(url));
      res.on('close', () => this.closedRequests.push(`${url}:res`));
    } else {
      res.statusCode = 404;
      res.end();
    }
  }
}

export interface TestApps {
  alice: TestApp;
  bob: TestApp;
}

/**
 * For a proxy suite: starts the two test apps before it (closed after it), and closes the proxy
 * each test left in `currentProxy` after that test.
 */
export function useTestApps(currentProxy: () => ProxyHarness | undefined): TestApps {
  const apps = {} as TestApps;
  beforeAll(async () => {
    apps.alice = await new TestApp('alice').start();
    apps.bob = await new TestApp('bob').start();
  });
  afterAll(async () => {
    await apps.alice?.close();
    await apps.bob?.close();
  });
  afterEach(async () => {
    await currentProxy()?.close();
  });
  return apps;
}

/** The two running routes most tests use: `alice-demo` and `bob-app`. */
export function standardRoutes(apps: TestApps) {
  return [runningRoute('alice-demo', apps.alice.port, 'alice/demo'), runningRoute('bob-app', apps.bob.port, 'bob/app')];
}
