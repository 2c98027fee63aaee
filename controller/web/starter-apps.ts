import type { Sdk } from '../../templates/index.js';

/**
 * The small app `/new-space` commits after the Space's initial commit (README + .gitattributes,
 * made by the API as the Hub does), so a Space made in the browser builds and runs with no git.
 * Static needs none: its initial commit already has `index.html`.
 */
const GRADIO_APP = `import gradio as gr


def greet(name):
    return "Hello " + name + "!"


demo = gr.Interface(fn=greet, inputs="text", outputs="text")
demo.launch()
`;

const STREAMLIT_APP = `import streamlit as st

st.title("Hello from Streamlit")
x = st.slider("Select a value")
st.write(x, "squared is", x * x)
`;

/** FROM the Python base image every install makes itself (no registry: an air-gapped install builds it too). */
const DOCKER_FILE = `FROM spaceport/python:3.11

RUN useradd -m -u 1000 user
USER user
WORKDIR /home/user/app
COPY --chown=user app.py .

EXPOSE 7860
CMD ["python", "app.py"]
`;

const DOCKER_APP = `from http.server import BaseHTTPRequestHandler, HTTPServer


class Hello(BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"<!doctype html><title>Hello</title><h1>Hello from Docker</h1>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


HTTPServer(("0.0.0.0", 7860), Hello).serve_forever()
`;

export const STARTER_APPS: Readonly<Record<Sdk, Readonly<Record<string, string>>>> = {
  gradio: { 'app.py': GRADIO_APP },
  streamlit: { 'app.py': STREAMLIT_APP },
  docker: { Dockerfile: DOCKER_FILE, 'app.py': DOCKER_APP },
  static: {},
};

/** The starters as a JSON data block (`<script type="application/json">`): `<` escaped so no tag can close it. */
export function startersJson(): string {
  return JSON.stringify(STARTER_APPS).replace(/</g, '\\u003c');
}
