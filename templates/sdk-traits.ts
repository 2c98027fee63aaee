import { SDKS, type Sdk } from './template-input.js';

/**
 * What a Space's image is built from, as the builder and the controller see it.
 * - `own-dockerfile`: the repo's Dockerfile, no Spaceport image; the Space's variables are build args
 *   and its secrets build secrets (as on the Hub).
 * - `python`: a template on Spaceport's Python image that resolves no packages (static's file server):
 *   no package cutoff, no pip cache, no `python_version` notice.
 * - `python-packages`: a template on Spaceport's Python image that installs `sdkPackage` (pinned by
 *   `sdk_version`; requirements.txt lines naming it are left out) and requirements.txt, resolved as
 *   of the package cutoff.
 */
export type SdkImage = { kind: 'own-dockerfile' } | { kind: 'python' } | { kind: 'python-packages'; sdkPackage: string };

/** The facts about an SDK that code outside its template branches on. */
export interface SdkTraits {
  image: SdkImage;
  /** The README's `app_file` when it names none (and the default the "app file is missing" message names). */
  defaultAppFile: string;
  /** The port the app listens on; with `readsAppPort`, the default of the README's `app_port`. */
  port: number;
  /** The README's `app_port` sets the port the app listens on. */
  readsAppPort: boolean;
  /** The README may set `app_build_command`: a Node.js stage runs it and `app_file` is its output (not checked in the repo). */
  appBuildCommand: boolean;
  /** The Space can be paused (its app stopped until restarted). */
  pausable: boolean;
  /** The Space can have persistent storage (`/data`). */
  persistentStorage: boolean;
  /** Env the app gets at run time beyond the Hub's own variables, for the port it serves on. */
  runEnv: (port: number) => Record<string, string>;
}

const noEnv = (): Record<string, string> => ({});

/** One row per SDK in `SDKS`. */
export const SDK_TRAITS: Readonly<Record<Sdk, Readonly<SdkTraits>>> = Object.freeze({
  gradio: {
    image: { kind: 'python-packages', sdkPackage: 'gradio' },
    defaultAppFile: 'app.py',
    port: 7860,
    readsAppPort: false,
    appBuildCommand: false,
    pausable: true,
    persistentStorage: true,
    runEnv: (port: number) => ({ GRADIO_SERVER_NAME: '0.0.0.0', GRADIO_SERVER_PORT: String(port) }),
  },
  streamlit: {
    image: { kind: 'python-packages', sdkPackage: 'streamlit' },
    defaultAppFile: 'app.py',
    // The only port the Hub allows.
    port: 8501,
    readsAppPort: false,
    appBuildCommand: false,
    pausable: true,
    persistentStorage: true,
    runEnv: noEnv,
  },
  docker: {
    image: { kind: 'own-dockerfile' },
    // Unused: a docker Space runs what its Dockerfile says.
    defaultAppFile: 'app.py',
    port: 7860,
    readsAppPort: true,
    appBuildCommand: false,
    pausable: true,
    persistentStorage: true,
    runEnv: noEnv,
  },
  static: {
    image: { kind: 'python' },
    defaultAppFile: 'index.html',
    port: 8080,
    readsAppPort: false,
    appBuildCommand: true,
    // As on the Hub: a static Space is files, with no app to stop and no disk of its own.
    pausable: false,
    persistentStorage: false,
    runEnv: noEnv,
  },
});

export function sdkTraits(sdk: Sdk): Readonly<SdkTraits> {
  return SDK_TRAITS[sdk];
}

/** The port a Space's app listens on: the README's `app_port` where the SDK reads it, else the SDK's port. */
export function appPortFor(sdk: Sdk, appPort: number | undefined): number {
  const t = SDK_TRAITS[sdk];
  return t.readsAppPort ? (appPort ?? t.port) : t.port;
}

/** The SDKs with a trait, in `SDKS` order (for messages that list them). */
export function sdksWhere(has: (t: Readonly<SdkTraits>) => boolean): Sdk[] {
  return SDKS.filter((sdk) => has(SDK_TRAITS[sdk]));
}

/** `a`, `a or b`, `a, b or c`: a list for a message. */
export function orList(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}
