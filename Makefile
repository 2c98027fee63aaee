# The README's two commands: `make up` and `make test`. Each does its own setup on a fresh machine
# (`make test` on Debian 12 as root: apt packages, Docker, the Kubernetes tools; see docs/testing.md).
SHELL := /bin/bash
NODE_MODULES_STAMP := node_modules/.package-lock.json

.PHONY: up haproxy test-data-plane criu test test-quick test-postgres test-packages k8s-packages hub-client-tools schemathesis test-k8s k8s-tools k8s-up k8s-down cluster-up cluster-preflight cluster-down deps docker base-images typecheck bench bench-push bench-proxy bench-builds bench-pip bench-wake bench-wake-config bench-visitor bench-route-flip bench-k8s bench-k8s-data-plane bench-gallery bench-store bench-idle-spaces bench-many-spaces bench-wake-herd clean

$(NODE_MODULES_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

deps: $(NODE_MODULES_STAMP)

docker:
	@bash scripts/ensure-docker.sh

## HAProxy for the native data plane (SPACEPORT_DATA_PLANE=haproxy|auto): Debian's package when missing.
haproxy:
	@bash scripts/ensure-haproxy.sh

## The proxy suites (forwarding, websockets and wake, retries, private apps, the 180 s soak), through HAProxy (the native data plane) instead of the Node path.
test-data-plane: deps haproxy
	SPACEPORT_TEST_DATA_PLANE=haproxy npx vitest run test/proxy/forwarding.test.ts test/proxy/websockets-wake.test.ts test/proxy/frame-ancestors.test.ts test/proxy/retry.test.ts test/proxy/native-data-plane.test.ts test/proxy/private-apps.test.ts test/proxy/soak.test.ts

## Bring Spaceport up on this machine (API, git and Spaces on http://localhost:8080).
## With SPACEPORT_SNAPSHOTS=auto (the default) it first builds a CRIU for snapshot wake (scripts/criu/up-criu.sh);
## a failed build only turns snapshots off, with the reason in the log.
up: deps docker haproxy
	@criu="$$(bash scripts/criu/up-criu.sh)"; if [ -n "$$criu" ]; then export SPACEPORT_CRIU="$$criu"; fi; exec npx tsx cli/spaceport.ts up

## Build (once, cached by version and patch hash in ~/.cache/spaceport-tools) the CRIU snapshot wake uses.
criu:
	@bash scripts/criu/ensure-criu.sh

## Build the Python/Node base images from Debian packages (air-gapped hosts; `make up` does it when missing).
base-images: deps docker
	npx tsx cli/spaceport.ts base-images

## Type-check the code (tsconfig.json) and the code with its tests (tsconfig.test.json).
typecheck: deps
	npx tsc -p tsconfig.json --noEmit
	npx tsc -p tsconfig.test.json --noEmit

## Run every test: typecheck, then the quick, main (Docker, git LFS, Chromium, PyPI) and k8s tiers (docs/testing.md),
## then the proxy suites again through HAProxy (test-data-plane).
## Installs what a fresh Debian 12 machine lacks first (PostgreSQL too: a throwaway cluster for the run). Per-file times: npx tsx scripts/test-times.ts
test: deps test-packages docker k8s-tools hub-client-tools schemathesis
	@bash scripts/test-disk-room.sh
	npx tsc -p tsconfig.json --noEmit
	npx tsc -p tsconfig.test.json --noEmit
	@url="$$(bash scripts/ensure-postgres.sh start)" && \
	  SPACEPORT_TEST_DATABASE_URL="$$url" npx vitest run --reporter=default --reporter=json --outputFile.json=test-artifacts/vitest-report.json; \
	  rc=$$?; bash scripts/ensure-postgres.sh stop; [ $$rc -eq 0 ] || exit $$rc
	@# The proxy suites again, through HAProxy: the native data plane (SPACEPORT_DATA_PLANE's default where HAProxy runs).
	$(MAKE) --no-print-directory test-data-plane

## The store's contract suite and the leader lock (two controllers) against a throwaway PostgreSQL (scripts/ensure-postgres.sh installs Debian's
## package when missing, starts a cluster on a Unix socket, and removes it after).
test-postgres: deps
	@url="$$(bash scripts/ensure-postgres.sh start)" && \
	  SPACEPORT_TEST_DATABASE_URL="$$url" npx vitest run test/store/ test/leadership/; \
	  rc=$$?; bash scripts/ensure-postgres.sh stop; exit $$rc

## Typecheck, then the unit and contract suites on fakes: no Docker engine, Chromium, cluster or PyPI (~1 min on 2 idle cores).
test-quick: deps
	npx tsc -p tsconfig.json --noEmit
	npx tsc -p tsconfig.test.json --noEmit
	npx vitest run --project quick

## The Debian packages the test tiers use, installed when missing (scripts/ensure-test-packages.sh).
test-packages:
	@bash scripts/ensure-test-packages.sh all

k8s-packages:
	@bash scripts/ensure-test-packages.sh k8s

## git-lfs, and the Python suite's huggingface_hub venvs (1.33.0; 2.4.0 with hf_xet), cached by version in ~/.cache/spaceport-tools.
hub-client-tools:
	@bash scripts/ensure-git-lfs.sh
	@bash scripts/hub-client-venvs.sh >/dev/null

## schemathesis (PyPI) for test/api/schemathesis.test.ts, in a venv cached outside the repo by version.
schemathesis:
	@bash scripts/ensure-schemathesis.sh >/dev/null

## Only the Kubernetes tier (test/k8s): a real test cluster, up for the run (SPACEPORT_K8S_KEEP=1 keeps it).
test-k8s: deps k8s-packages docker k8s-tools
	npx vitest run --project k8s

## Build the test cluster's binaries from the Go module proxy (~8 min once; cached by version outside the repo).
k8s-tools:
	@bash scripts/k8s/build-tools.sh all >/dev/null

## Start / stop the test cluster by hand (scripts/k8s/cluster.sh; state in /tmp/spaceport-k8s).
k8s-up: k8s-packages k8s-tools
	bash scripts/k8s/cluster.sh up

k8s-down:
	bash scripts/k8s/cluster.sh down

## Spaceport on the test cluster through its Helm chart: hub on http://localhost:8080, admin token printed.
## The preflight (ports, root, disk, memory) runs before anything is installed or built; then the missing
## Debian packages (containerd, runc, CNI plugins, docker-registry, ...), Docker, the cluster's tools.
cluster-up: cluster-preflight deps k8s-packages docker k8s-tools
	bash scripts/k8s/spaceport-cluster.sh up

cluster-preflight:
	@bash scripts/k8s/spaceport-cluster.sh preflight

## Uninstall it, and stop the test cluster if cluster-up started it.
cluster-down:
	bash scripts/k8s/spaceport-cluster.sh down

bench-push: deps docker
	npx tsx bench/push-to-live.ts
	npx tsx bench/static-spaces.ts

bench-proxy: deps
	npx tsx bench/proxy/run.ts

bench-builds: deps docker
	npx tsx bench/builds.ts

bench-pip: deps docker
	npx tsx bench/pip-resolution.ts

bench-wake: deps docker
	npx tsx bench/wake.ts
	npx tsx bench/snapshot-wake.ts

bench-wake-config: deps docker
	npx tsx bench/wake-config.ts

## A route flipped between two backends under wrk's full load, native data plane and Node path, against the same load unflipped (issue 22).
bench-route-flip: deps haproxy
	npx tsx bench/proxy/route-flip.ts

## What a visitor sees of a Gradio Space, direct / Node path / native data plane: GET / first byte and whole, Chromium page load, wake → first byte (issue 22).
bench-visitor: deps docker haproxy
	npx tsx bench/visitor.ts

## 1,000 Spaces against the test cluster's API server: apply, time to ready, requests per unchanged Space (informers vs polling).
bench-k8s: deps docker k8s-tools
	npx tsx bench/k8s-reconcile.ts

## The native data plane beside a proxy replica on the test cluster, against nginx and the Node path (issue 22).
bench-k8s-data-plane: deps docker k8s-tools haproxy
	npx tsx bench/k8s/native-data-plane.ts

## The web UI with 1,000 Spaces: /spaces, a search, a filtered page, a Space page; JS and CSS gzipped.
bench-gallery: deps
	npx tsx bench/gallery.ts

## One store call, SQLite against PostgreSQL through the synchronous bridge (µs per call kind), on a throwaway cluster.
bench-store: deps
	@url="$$(bash scripts/ensure-postgres.sh start)" && \
	  SPACEPORT_TEST_DATABASE_URL="$$url" npx tsx bench/store.ts; \
	  rc=$$?; bash scripts/ensure-postgres.sh stop; exit $$rc

## N running Spaces on an engine of the bench's own (root): controller and dockerd CPU, polling vs the event cache (SPACES=50,100,200).
bench-idle-spaces: deps docker
	npx tsx bench/idle-spaces.ts

## 100 vs 10,000 registered Spaces: list, lookup and proxy latency, heap per Space, proxy heap over 20,000 requests.
bench-many-spaces: deps
	node --expose-gc --import tsx bench/many-spaces.ts

## 1,000 concurrent requests to a sleeping Space vs to the same Space running: one wake, every answer.
bench-wake-herd: deps docker
	npx tsx bench/wake-herd.ts

bench: bench-push bench-proxy

clean:
	rm -rf dist .data
