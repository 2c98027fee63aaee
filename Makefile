# The README's two commands: `make up` and `make test`. Each does its own setup on a fresh machine.
SHELL := /bin/bash
NODE_MODULES_STAMP := node_modules/.package-lock.json

.PHONY: up test deps docker base-images typecheck bench bench-push bench-proxy bench-builds bench-wake clean

$(NODE_MODULES_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

deps: $(NODE_MODULES_STAMP)

docker:
	@bash scripts/ensure-docker.sh

## Bring Spaceport up on this machine (API, git and Spaces on http://localhost:8080).
up: deps docker
	npx tsx cli/spaceport.ts up

## Build the Python/Node base images from Debian packages (air-gapped hosts; `make up` does it when missing).
base-images: deps docker
	npx tsx cli/spaceport.ts base-images

typecheck: deps
	npx tsc -p tsconfig.json --noEmit

## Run every test: typecheck, unit, and the real-service suites (Docker, git, Chromium, PyPI).
test: deps docker
	npx tsc -p tsconfig.json --noEmit
	npx vitest run

bench-push: deps docker
	npx tsx bench/push-to-live.ts

bench-proxy: deps
	npx tsx bench/proxy/run.ts

bench-builds: deps docker
	npx tsx bench/builds.ts

bench-wake: deps docker
	npx tsx bench/wake.ts

bench: bench-push bench-proxy

clean:
	rm -rf dist .data
