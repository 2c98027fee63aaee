import { describe, expect, it } from 'vitest';
import { readmePushProblems } from './readme-push-check.js';

describe('readmePushProblems', () => {
  it('names each invalid field with what it may be', () => {
    const problems = readmePushProblems('---\ntitle: Demo\nsdk: gradioo\ncolorFrom: pink-ish\n---\n# Demo\n');
    expect(problems).toEqual([
      'README.md front matter: "sdk" must be one of gradio, streamlit, docker, static (got "gradioo").',
      'README.md front matter: "colorFrom" must be one of red, yellow, green, blue, indigo, purple, pink, gray (got "pink-ish").',
    ]);
  });

  it('names broken YAML with its line', () => {
    const [problem, ...rest] = readmePushProblems('---\nsdk: static\ntitle: [unclosed\n---\n');
    expect(rest).toEqual([]);
    expect(problem).toMatch(/^README\.md front matter is not valid YAML \(line \d+, column \d+\)/);
  });

  it('accepts valid metadata, and leaves a README without front matter (or none) to the build', () => {
    expect(readmePushProblems('---\nsdk: static\ncolorFrom: pink\n---\n')).toEqual([]);
    expect(readmePushProblems('# Just a title\n')).toEqual([]);
    expect(readmePushProblems('---\ntitle: No sdk yet\n---\n')).toEqual([]);
    expect(readmePushProblems('---\ntitle: No sdk yet\ncolorTo: mauve\n---\n')).toEqual([expect.stringContaining('"colorTo"')]);
    expect(readmePushProblems(undefined)).toEqual([]);
  });
});
