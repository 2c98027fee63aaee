export interface NginxConfInput {
  /** Private prefix: pid, logs and temp paths live here. */
  dir: string;
  listenPort: number;
  backendPort: number;
  /** The backend's address (default 127.0.0.1; a pod IP in bench/k8s/native-data-plane.ts). */
  backendHost?: string;
  /** Running as root: workers keep root so they can use the private prefix. */
  asRoot: boolean;
}

/** nginx.conf for the comparison: 1 worker, keep-alive upstream, no response buffering, Host passed through. */
export function renderNginxConf(c: NginxConfInput): string {
  const d = c.dir;
  return `${c.asRoot ? 'user root root;\n' : ''}worker_processes 1;
pid ${d}/nginx.pid;
error_log ${d}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${d}/tmp/body;
  proxy_temp_path ${d}/tmp/proxy;
  fastcgi_temp_path ${d}/tmp/fastcgi;
  uwsgi_temp_path ${d}/tmp/uwsgi;
  scgi_temp_path ${d}/tmp/scgi;
  upstream app {
    server ${c.backendHost ?? '127.0.0.1'}:${c.backendPort};
    keepalive 64;
  }
  map $http_upgrade $connection_upgrade {
    default upgrade;
    '' '';
  }
  server {
    listen 127.0.0.1:${c.listenPort};
    location / {
      proxy_pass http://app;
      proxy_http_version 1.1;
      proxy_buffering off;
      proxy_set_header Host $http_host;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
    }
  }
}
`;
}
