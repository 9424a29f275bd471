import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * DejaVu Sans from the `dejavu-fonts-ttf` npm package (a dependency), for the report charts and the
 * choice pack: a clear sans serif with every letter a name may use, the same on any server (a
 * container or an App Service image has no system fonts). Resolved through its package.json, as
 * the package has no main.
 */
const DIR = join(dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');

export const DEJAVU = { regular: join(DIR, 'DejaVuSans.ttf'), bold: join(DIR, 'DejaVuSans-Bold.ttf') };
