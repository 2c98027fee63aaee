import { describe, expect, it } from 'vitest';
import { renderTemplate, SDKS, templateHash, type RepoFiles, type Sdk } from './index.js';
import { appPortFor, orList, SDK_TRAITS, sdkTraits, sdksWhere } from './sdk-traits.js';

const noFiles: RepoFiles = { packagesTxt: false, preRequirements: false, requirements: false, packageJson: false, packageLock: false };

describe('every SDK', () => {
  it.each(SDKS)('%s has traits and a template', (sdk) => {
    expect(SDK_TRAITS[sdk]).toBeDefined();
    expect(templateHash(sdk)).toMatch(/^[0-9a-f]{64}$/);
    const rendered = renderTemplate({ sdk, pythonImage: 'P', nodeImage: 'N', appFile: sdkTraits(sdk).defaultAppFile, files: noFiles });
    // The template serves on the port its traits declare (the builder and the controller rely on it).
    expect(rendered.port).toBe(sdkTraits(sdk).port);
    expect(rendered.dockerfile === undefined).toBe(sdkTraits(sdk).image.kind === 'own-dockerfile');
  });

  it('has no traits for a name outside SDKS', () => {
    expect(Object.keys(SDK_TRAITS).sort()).toEqual([...SDKS].sort());
  });
});

describe('SDK traits', () => {
  const rows: [Sdk, string, string, number, boolean, boolean, boolean, boolean][] = [
    // sdk, image, defaultAppFile, port, readsAppPort, appBuildCommand, pausable, persistentStorage
    ['gradio', 'python-packages', 'app.py', 7860, false, false, true, true],
    ['streamlit', 'python-packages', 'app.py', 8501, false, false, true, true],
    ['docker', 'own-dockerfile', 'app.py', 7860, true, false, true, true],
    ['static', 'python', 'index.html', 8080, false, true, false, false],
  ];
  it.each(rows)('%s', (sdk, image, appFile, port, readsAppPort, appBuildCommand, pausable, persistentStorage) => {
    const t = sdkTraits(sdk);
    expect({ image: t.image.kind, appFile: t.defaultAppFile, port: t.port, readsAppPort: t.readsAppPort, appBuildCommand: t.appBuildCommand, pausable: t.pausable, persistentStorage: t.persistentStorage })
      .toEqual({ image, appFile, port, readsAppPort, appBuildCommand, pausable, persistentStorage });
  });

  it('names the PyPI package sdk_version pins', () => {
    expect(sdkTraits('gradio').image).toEqual({ kind: 'python-packages', sdkPackage: 'gradio' });
    expect(sdkTraits('streamlit').image).toEqual({ kind: 'python-packages', sdkPackage: 'streamlit' });
  });

  it('gives gradio its server env, and the others none', () => {
    expect(sdkTraits('gradio').runEnv(7860)).toEqual({ GRADIO_SERVER_NAME: '0.0.0.0', GRADIO_SERVER_PORT: '7860' });
    for (const sdk of ['streamlit', 'docker', 'static'] as const) expect(sdkTraits(sdk).runEnv(1)).toEqual({});
  });

  it('takes app_port only where the SDK reads it', () => {
    expect(appPortFor('docker', 3000)).toBe(3000);
    expect(appPortFor('docker', undefined)).toBe(7860);
    expect(appPortFor('gradio', 3000)).toBe(7860);
    expect(appPortFor('static', 3000)).toBe(8080);
  });
});

describe('lists for messages', () => {
  it('keep SDKS order and join with "or"', () => {
    expect(sdksWhere((t) => t.image.kind !== 'own-dockerfile')).toEqual(['gradio', 'streamlit', 'static']);
    expect(orList(SDKS)).toBe('gradio, streamlit, docker or static');
    expect(orList(['static'])).toBe('static');
    expect(orList(['a', 'b'])).toBe('a or b');
    expect(orList([])).toBe('');
  });
});
