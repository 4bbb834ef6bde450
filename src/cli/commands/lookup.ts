/**
 * `ribstore lookup ADDRESS --mrt FILE…`: load MRT dumps and answer one longest-prefix-match
 * question, printing the same JSON as the API's `/api/v1/lookup`.
 */
import { parseArgs } from 'node:util';
import { RibstoreError } from '../../errors.js';
import { parseAddress } from '../../ip/address.js';
import { loadMrtFiles } from '../../collector/mrt-loader.js';
import { Rib } from '../../rib/rib.js';
import type { Command } from '../commands.js';

const help = `Usage: ribstore lookup ADDRESS --mrt FILE [--mrt FILE...] [options]

Load MRT dumps and print the longest prefix covering ADDRESS with all its routes, best first,
as JSON (the same shape as the HTTP API's GET /api/v1/lookup). Exits with status 1 when no
route covers the address.

Options:
  --mrt FILE      an MRT dump to load (plain, .gz or .bz2); repeatable; required
  --router NAME   the router name the routes are filed under (default: mrt)
  --compact       print the JSON on one line
  -h, --help      show this help

Example:
  ribstore lookup 193.0.6.139 --mrt bview.20240101.0000.gz
`;

/** The `lookup` command. */
export const command: Command = {
  name: ['lookup'],
  summary: 'answer one longest-prefix-match question from MRT dumps (JSON)',
  help,
  async run(args) {
    let parsed;
    try {
      parsed = parseArgs({
        args,
        allowPositionals: true,
        strict: true,
        options: {
          mrt: { type: 'string', multiple: true, default: [] },
          router: { type: 'string', default: 'mrt' },
          compact: { type: 'boolean', default: false },
        },
      });
    } catch (error) {
      throw new RibstoreError('INVALID_ARGUMENT', (error as Error).message);
    }
    if (parsed.positionals.length !== 1) throw new RibstoreError('INVALID_ARGUMENT', 'give exactly one ADDRESS; usage: ribstore lookup ADDRESS --mrt FILE');
    const files = parsed.values.mrt!;
    if (files.length === 0) throw new RibstoreError('INVALID_ARGUMENT', 'no --mrt FILE given; usage: ribstore lookup ADDRESS --mrt FILE');
    const address = parseAddress(parsed.positionals[0]!);
    const rib = new Rib();
    await loadMrtFiles(rib, files, { router: parsed.values.router! });
    const answer = rib.lookup(address);
    if (!answer) {
      console.error(`ribstore: no route covers ${address.toString()}`);
      return 1;
    }
    console.log(parsed.values.compact ? JSON.stringify(answer) : JSON.stringify(answer, null, 2));
    return 0;
  },
};
