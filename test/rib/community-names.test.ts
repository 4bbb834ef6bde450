/**
 * The community names file parser and matcher (rib/community-names.ts): every pattern form,
 * which pattern wins, `$N` in names, the built-in well-known names, and hostile files refused
 * with a CommunityNamesError naming the line.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { RibstoreError } from '../../src/errors.js';
import { CommunityNames, CommunityNamesError, MAX_LINE_LENGTH, MAX_NAME_LENGTH } from '../../src/rib/community-names.js';
import { WELL_KNOWN_COMMUNITIES } from '../../src/rib/well-known-communities.js';
import { parseServeArgs } from '../../src/cli/commands/serve.js';
import { withTempDir } from '../support/temp-dir.js';

const FILE = `# names for the tests
65000:1        Learned from customers
65000:x        Single digit $2
65000:2-9      Two to nine
65000:*        Other 65000 ($1:$2)
65002:1xx      City $2
  # an indented comment
\t
65010:100-199  Range of AS$1
*:666          Blackhole of AS$1 at $$5
65000:1:*      Large one, $3
65000:1x:5-6   Large masked
*:*:*          Any large
65535:65281    Our NO_EXPORT
`;

/** The name of a community text under `names`. */
const named = (names: CommunityNames, community: string): string | undefined => names.name(community);

describe('community names', () => {
  test('every well-known community is named built in, values as the IANA registry has them', () => {
    const names = CommunityNames.builtIn();
    const expected: Record<string, string> = {
      '65535:0': 'GRACEFUL_SHUTDOWN',
      '65535:1': 'ACCEPT_OWN',
      '65535:6': 'LLGR_STALE',
      '65535:7': 'NO_LLGR',
      '65535:666': 'BLACKHOLE',
      '65535:65281': 'NO_EXPORT',
      '65535:65282': 'NO_ADVERTISE',
      '65535:65283': 'NO_EXPORT_SUBCONFED',
      '65535:65284': 'NOPEER',
    };
    for (const [community, name] of Object.entries(expected)) assert.equal(named(names, community), name, community);
    for (const known of WELL_KNOWN_COMMUNITIES) assert.equal(named(names, known.community), known.name);
    assert.equal(new Set(WELL_KNOWN_COMMUNITIES.map((k) => k.community)).size, WELL_KNOWN_COMMUNITIES.length, 'one name per value');
    assert.equal(named(names, '65000:1'), undefined);
    assert.equal(named(names, '65535:65281:1'), undefined, 'a large community is not a community');
    assert.equal(names.fileEntries, 0);
  });

  test('exact values, masks, ranges and wildcards; the pattern covering the fewest communities wins', () => {
    const names = CommunityNames.parse(FILE, 'test.txt');
    assert.equal(names.fileEntries, 11);
    assert.equal(named(names, '65000:1'), 'Learned from customers', 'exact beats x and *');
    assert.equal(named(names, '65000:2'), 'Two to nine', 'range of 8 beats the mask x (10)');
    assert.equal(named(names, '65000:0'), 'Single digit 0');
    assert.equal(named(names, '65000:10'), 'Other 65000 (65000:10)', 'x is one digit only');
    assert.equal(named(names, '65002:100'), 'City 100');
    assert.equal(named(names, '65002:199'), 'City 199');
    assert.equal(named(names, '65002:99'), undefined, '1xx is three digits');
    assert.equal(named(names, '65002:1000'), undefined);
    assert.equal(named(names, '65010:150'), 'Range of AS65010');
    assert.equal(named(names, '65010:200'), undefined);
    assert.equal(named(names, '3356:666'), 'Blackhole of AS3356 at $5', '$$ is a dollar sign');
    assert.equal(named(names, '65535:666'), 'BLACKHOLE', 'a well-known exact name beats a file wildcard');
    assert.equal(named(names, '65535:65281'), 'Our NO_EXPORT', 'a file exact entry replaces the built-in name');
    assert.equal(named(names, '65535:65282'), 'NO_ADVERTISE');
    assert.equal(named(names, '65000:1:2'), 'Large one, 2');
    assert.equal(named(names, '65000:15:5'), 'Large masked', '1x:5-6 (20) beats 1:* (2^32)');
    assert.equal(named(names, '65000:1:5'), 'Large one, 5', 'the mask 1x is two digits: it does not match 1');
    assert.equal(named(names, '4200000000:7:8'), 'Any large');
    assert.equal(named(names, '65000:1'), 'Learned from customers', 'cached answer unchanged');
  });

  test('equal sizes: the earlier line wins; a range of one value is an exact value', () => {
    const names = CommunityNames.parse('65000:10-19 first\n65000:1x second\n65001:5-5 five\n');
    assert.equal(named(names, '65000:12'), 'first');
    assert.equal(named(names, '65001:5'), 'five');
    assert.throws(() => CommunityNames.parse('65001:5 five\n65001:5-5 again\n'), /:2: pattern 65001:5 is already named at line 1/);
  });

  test('namesOf a route names its communities and large communities, leaving unnamed ones out', () => {
    const names = CommunityNames.parse(FILE);
    assert.deepEqual(names.namesOf({ communities: ['65000:1', '64999:1', '65535:65282'], largeCommunities: ['65000:1:9', '1:2:3'] }), {
      '65000:1': 'Learned from customers',
      '65535:65282': 'NO_ADVERTISE',
      '65000:1:9': 'Large one, 9',
      '1:2:3': 'Any large',
    });
    assert.deepEqual(CommunityNames.builtIn().namesOf({ communities: [], largeCommunities: [] }), {});
  });

  test('CRLF line ends and a missing final newline are fine', () => {
    const names = CommunityNames.parse('# c\r\n65000:1   one\r\n65000:2 two');
    assert.equal(named(names, '65000:1'), 'one');
    assert.equal(named(names, '65000:2'), 'two');
  });

  test('hostile and bad lines are refused with the line number and what is wrong', () => {
    const cases: [string, RegExp][] = [
      ['65000:1', /:1: expected PATTERN NAME, got "65000:1" \(no name\)/],
      ['\n\n65000 name', /:3: pattern "65000" has 1 part/],
      ['1:2:3:4 name', /has 4 parts/],
      ['65536:1 name', /part 1 of "65536:1": 65536 is over 65535/],
      ['1:65536 name', /65536 is over 65535/],
      ['1:2:4294967296 name', /4294967296 is over 4294967295/],
      ['65000:200-100 name', /range 200-100 runs backwards/],
      ['65000:-1 name', /is not a number, LOW-HIGH range, digit mask with x, or \*/],
      ['65000:1y name', /is not a number/],
      ['65000:0x name', /starts with 0/],
      ['65000:9xxxx name', /matches nothing: every value is over 65535/],
      ['65000:** name', /is not a number/],
      ['65000:12345678901 name', /is not a number/],
      ['65000:1 $4 is not a part', /uses \$4: only \$1 to \$2/],
      ['65000:1 costs $', /uses \$:/],
      ['65000:1 nul\u0000byte', /control character/],
      ['65000:1 escape \u001b[31m', /control character/],
      ['65000:1 bad utf-8 \ufffd', /invalid UTF-8/],
      [`65000:1 ${'n'.repeat(MAX_NAME_LENGTH + 1)}`, /name is 201 characters long/],
      [`# ${'x'.repeat(MAX_LINE_LENGTH)}`, /line is 1026 characters long, over 1024/],
      ['65000:1 a\n65000:1 b', /:2: pattern 65000:1 is already named at line 1/],
      ['65000:1xx a\n65000:1xx b', /:2: pattern 65000:1xx is already named at line 1/],
    ];
    for (const [text, message] of cases) {
      assert.throws(
        () => CommunityNames.parse(text, 'bad.txt'),
        (error: unknown) => {
          assert.ok(error instanceof CommunityNamesError, `${JSON.stringify(text)}: ${String(error)}`);
          assert.ok(error instanceof RibstoreError);
          assert.equal(error.code, 'INVALID_ARGUMENT');
          assert.equal(error.source, 'bad.txt');
          assert.match(error.message, /^bad\.txt:\d+: /);
          assert.match(error.message, message);
          return true;
        },
        JSON.stringify(text),
      );
    }
  });

  test('any text is either parsed or refused with a CommunityNamesError, never anything else', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string(), fc.constantFrom('65000:1xx a', '*:* b', '1:2-3 $1', '#', '')), { maxLength: 8 }), (lines) => {
        try {
          const names = CommunityNames.parse(lines.join('\n'));
          for (const c of ['65000:100', '1:2', '0:0', '1:2:3']) names.name(c);
        } catch (error) {
          assert.ok(error instanceof CommunityNamesError, String(error));
        }
      }),
      { numRuns: 300 },
    );
  });

  test('load reads a file; an unreadable file is FILE_ERROR; serve --community-names loads it at start', async () => {
    await withTempDir('community-names', async (dir) => {
      const good = join(dir, 'names.txt');
      await writeFile(good, FILE);
      assert.equal(CommunityNames.load(good).name('65002:150'), 'City 150');
      const options = parseServeArgs(['--community-names', good]);
      assert.equal(options.communityNames?.name('65000:1'), 'Learned from customers');
      assert.equal(parseServeArgs([]).communityNames, undefined);
      const bad = join(dir, 'bad.txt');
      await writeFile(bad, '# fine\n65000:1 ok\n65000:70000 not ok\n');
      assert.throws(() => parseServeArgs(['--community-names', bad]), (error: unknown) => error instanceof CommunityNamesError && error.line === 3 && error.message.startsWith(`${bad}:3: `));
      await writeFile(bad, Buffer.from([0x36, 0x35, 0x3a, 0x31, 0x20, 0xff, 0xfe, 0x0a]));
      assert.throws(() => CommunityNames.load(bad), /:1: control character or invalid UTF-8/);
      assert.throws(() => CommunityNames.load(join(dir, 'missing.txt')), (error: unknown) => error instanceof RibstoreError && error.code === 'FILE_ERROR');
    });
  });
});
