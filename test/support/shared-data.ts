/**
 * Locating the real data in ../shared/data (beside the project root).
 *
 * A user's clone has no ../shared; tests that need it skip with a one-line reason. CI always
 * has it: under `CI=true` its absence fails the run (test/support/requirements.ts).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { skipOrFail } from './requirements.js';

/** The project root (tests run from dist/test/..., so walk up to package.json's folder). */
export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** Absolute path of ../shared/data. */
export const sharedDataDir = resolve(projectRoot, '../shared/data');

/** Absolute path of a file under ../shared/data. */
export function sharedData(...parts: string[]): string {
  return join(sharedDataDir, ...parts);
}

/**
 * `false` when the file exists, else the one-line skip reason for `test(name, { skip }, ...)`
 * (under `CI=true` a missing file throws instead: see {@link skipOrFail}).
 */
export function skipUnlessShared(...parts: string[]): false | string {
  const path = sharedData(...parts);
  return skipOrFail(existsSync(path) ? false : `needs ${path} (the project's ../shared data folder), absent here`);
}

/**
 * The raw vendor BMP streams, `FOLDER/FILE.bmp` relative to ../shared/data/bmp, sorted by
 * folder then file; empty when the folder is absent. Read one with `sharedData('bmp', name)`.
 */
export function vendorBmpStreams(): string[] {
  const dir = sharedData('bmp');
  if (skipUnlessShared('bmp')) return [];
  const names: string[] = [];
  for (const folder of readdirSync(dir).sort()) {
    if (!statSync(join(dir, folder)).isDirectory()) continue;
    for (const file of readdirSync(join(dir, folder)).sort()) if (file.endsWith('.bmp')) names.push(`${folder}/${file}`);
  }
  return names;
}
