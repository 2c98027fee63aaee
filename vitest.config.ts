import { defineConfig } from 'vitest/config';

/**
 * The quick tier (`make test-quick`, `--project quick`): unit tests next to the code, and the suites in
 * test/ that run Spaceport on its fakes (FakeRuntime, FakeImageBuilder) with stock git and python3.
 * Nothing here needs a Docker engine, Chromium, a cluster, git-lfs or a package from PyPI. A test/
 * file is named here only once it is known to need nothing else; a new one lands in `main` by default.
 */
export const QUICK = [
  '{core,controller,proxy,builder,templates,cli}/**/*.test.ts',
  'test/api/{access,auth-tokens,bad-paths,cli-passwd,commit-dotgit-paths,commit-limits,cors,files,fuzz-http,fuzz-regressions,hardware,host-header,lifecycle,metrics,move-routes,names-and-grants,private-equals-missing,request-id,security-headers,settings-redeploy,space-name-validation,storage}.test.ts',
  'test/builder/{base-images-at-start,build-package-cutoff,static-serve}.test.ts',
  'bench/proxy/profile-summary.test.ts',
  'test/chart/{chart-docs,helm-values-schema}.test.ts',
  'test/git/{credentials-not-in-argv-or-logs,http,interrupted-push,lfs-pointers-at-push,path-traversal,push-journal,repos,request-limits,upstream-ssrf,upstream,url-injection,webhook-signature}.test.ts',
  'test/proxy/{cluster-mode,cluster-private,forwarding,frame-ancestors,hot-path,private-apps,proxy-health,retry,static-files,static-trees-remote,websockets-wake}.test.ts',
  'test/web/{files-http,http,https-cookies,org-visibility,page-weight,profiles-http,use-via-api-http}.test.ts',
  'test/architecture/*.test.ts',
  'test/leadership/listen-fails.test.ts',
];

export default defineConfig({
  test: {
    exclude: ['node_modules/**', 'dist/**'],
    testTimeout: 30_000,
    hookTimeout: 600_000,
    // Real-service suites share one Docker engine and 2 cores: run files one at a time there.
    fileParallelism: false,
    pool: 'forks',
    // Projects inherit the options above (arrays concatenate, so `include` lives in each project).
    // They split the files between them: `vitest run` runs each file once; `--project NAME` one tier.
    projects: [
      // In-process fakes only: files run side by side, and in one module graph per worker (no Docker to share).
      { extends: true, test: { name: 'quick', include: QUICK, fileParallelism: true, maxWorkers: 2, isolate: false, sequence: { groupOrder: 0 } } },
      // Everything else but the Kubernetes tier: real git, git-lfs, the Docker engine, BuildKit, PyPI, Chromium.
      { extends: true, test: { name: 'main', include: ['**/*.test.ts'], exclude: ['test/k8s/**', ...QUICK], sequence: { groupOrder: 1 } } },
      // One real test cluster for the run, brought up only when k8s files are selected (scripts/k8s/cluster.sh).
      { extends: true, test: { name: 'k8s', include: ['test/k8s/**/*.test.ts'], globalSetup: ['test/k8s/global-setup.ts'], sequence: { groupOrder: 1 } } },
    ],
  },
});
