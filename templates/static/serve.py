"""Spaceport's static file server for `sdk: static` Spaces.

Serves ROOT over HTTP/1.1 with a thread per connection: `/` answers with the index file
(`app_file`), directories answer with their own index.html, and nothing else is listed.
Dotfiles and anything that resolves outside ROOT (through `..` or a symlink) are 404.
"""

import argparse
import mimetypes
import os
import posixpath
import sys
import urllib.parse
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    ".csv": "text/csv; charset=utf-8",
    ".xml": "application/xml",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".wasm": "application/wasm",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".mp3": "audio/mpeg",
    ".wav": "audio/wav",
    ".ogg": "audio/ogg",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
    ".pdf": "application/pdf",
    ".glb": "model/gltf-binary",
    ".gltf": "model/gltf+json",
}


def make_handler(root, index):
    class Handler(SimpleHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "spaceport-static"
        sys_version = ""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=root, **kwargs)

        def guess_type(self, path):
            ext = posixpath.splitext(path)[1].lower()
            return TYPES.get(ext) or mimetypes.guess_type(path)[0] or "application/octet-stream"

        def translate_path(self, path):
            """Map the URL path to a file under root, or to "" when it must not be served."""
            path = urllib.parse.unquote(path.split("?", 1)[0].split("#", 1)[0], errors="replace")
            parts = [p for p in path.split("/") if p not in ("", ".")]
            if any(p.startswith(".") or "\\" in p or "\0" in p for p in parts):
                return ""
            if not parts:
                parts = index.split("/")
            full = os.path.join(root, *parts)
            real = os.path.realpath(full)
            if real != root and not real.startswith(root + os.sep):
                return ""
            if os.path.isdir(real):
                candidate = os.path.join(real, "index.html")
                if not path.endswith("/"):
                    return real  # base class redirects to the slash form
                return candidate if os.path.isfile(candidate) else ""
            return real

        def send_head(self):
            path = self.translate_path(self.path)
            if path == "" or (not os.path.exists(path)):
                self.send_error(HTTPStatus.NOT_FOUND, "File not found")
                return None
            return super().send_head()

        def list_directory(self, path):
            self.send_error(HTTPStatus.NOT_FOUND, "File not found")
            return None

        def end_headers(self):
            self.send_header("X-Content-Type-Options", "nosniff")
            super().end_headers()

        def log_message(self, format, *args):
            sys.stderr.write("%s %s\n" % (self.address_string(), format % args))

    return Handler


class Server(ThreadingHTTPServer):
    # The default listen backlog (5) drops connections under a burst, such as the requests held
    # while a sleeping Space wakes up: clients then wait for SYN retransmits (1 s, 3 s, 7 s, ...).
    request_queue_size = 1024
    daemon_threads = True


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=".")
    parser.add_argument("--index", default="index.html")
    parser.add_argument("--host", default="0.0.0.0")
    parser.add_argument("--port", type=int, default=8080)
    args = parser.parse_args(argv)
    root = os.path.realpath(args.root)
    server = Server((args.host, args.port), make_handler(root, args.index))
    sys.stderr.write("Serving %s on port %d\n" % (root, server.server_address[1]))
    sys.stderr.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
