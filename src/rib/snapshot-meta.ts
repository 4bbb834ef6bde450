/**
 * Checking a RIB snapshot's META section (layout: snapshot-format.ts) before the restore
 * (snapshot-restore.ts) trusts any of it: every field's type and range, every index it holds
 * pointing inside its list, nothing listed twice. A failure names the field.
 */
import { VIEWS } from './peer-registry.js';
import { SNAPSHOT_FORMAT, SNAPSHOT_OLDEST_VERSION, SNAPSHOT_VERSION, type SnapshotMeta } from './snapshot-format.js';

function isInt(x: unknown, min: number, max: number): x is number {
  return typeof x === 'number' && Number.isInteger(x) && x >= min && x <= max;
}

/** Parse and check META; `fail` throws, naming the section. */
export function parseMeta(payload: Uint8Array, fail: (why: string) => never): SnapshotMeta {
  let meta: SnapshotMeta;
  try {
    meta = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload)) as SnapshotMeta;
  } catch (error) {
    return fail(`not valid JSON (${(error as Error).message})`);
  }
  if (meta === null || typeof meta !== 'object') fail('not a JSON object');
  if (meta.format !== SNAPSHOT_FORMAT) fail(`format ${JSON.stringify(meta.format)} is not ${SNAPSHOT_FORMAT}`);
  if (!isInt(meta.version, SNAPSHOT_OLDEST_VERSION, SNAPSHOT_VERSION)) {
    fail(`unknown snapshot version ${JSON.stringify(meta.version)} (this ribstore reads versions ${SNAPSHOT_OLDEST_VERSION} to ${SNAPSHOT_VERSION})`);
  }
  if (!isInt(meta.takenAt, 0, Number.MAX_SAFE_INTEGER)) fail('takenAt is not a time');
  const optionalTime = (x: unknown): boolean => x === null || isInt(x, 0, Number.MAX_SAFE_INTEGER);
  const state = (x: unknown): boolean => x === 'up' || x === 'down';
  if (!Array.isArray(meta.tables) || meta.tables[0] !== null || meta.tables.slice(1).some((t) => typeof t !== 'string' || t === '')) {
    fail('tables must be [null, "rd", ...]');
  }
  if (new Set(meta.tables).size !== meta.tables.length) fail('a route distinguisher is listed twice in tables');
  if (!Array.isArray(meta.routers)) fail('routers is not an array');
  meta.routers.forEach((r, i) => {
    if (typeof r?.name !== 'string' || !state(r.state) || !optionalTime(r.downSince) || !optionalTime(r.flushAt)) fail(`router ${i} is malformed`);
  });
  if (new Set(meta.routers.map((r) => r.name)).size !== meta.routers.length) fail('a router is listed twice');
  if (!Array.isArray(meta.peers)) fail('peers is not an array');
  meta.peers.forEach((p, i) => {
    if (
      !isInt(p?.router, 0, meta.routers.length - 1) ||
      !isInt(p.type, 0, 255) ||
      typeof p.distinguisher !== 'string' ||
      typeof p.address !== 'string' ||
      !isInt(p.asn, 0, 0xffffffff) ||
      !isInt(p.bgpId, 0, 0xffffffff) ||
      !state(p.state)
    ) {
      fail(`peer ${i} is malformed`);
    }
  });
  if (!Array.isArray(meta.peerViews)) fail('peerViews is not an array');
  meta.peerViews.forEach((v, i) => {
    if (
      !Array.isArray(v) ||
      v.length !== 6 ||
      !isInt(v[0], 1, 0xffffff) ||
      !isInt(v[1], 0, meta.peers.length - 1) ||
      !isInt(v[2], 0, VIEWS.length - 1) ||
      !isInt(v[3], 0, 0xffff) ||
      !isInt(v[4], 0, 255) ||
      !isInt(v[5], 0, 1)
    ) {
      fail(`peer-view ${i} is malformed`);
    }
  });
  if (meta.viewRoutes !== undefined) {
    const routes = meta.viewRoutes;
    if (!Array.isArray(routes) || routes.length !== meta.peerViews.length || !routes.every((n) => isInt(n, 0, 0xffffffff))) fail('viewRoutes is malformed');
  }
  if (meta.stream !== undefined) {
    const stream = meta.stream;
    if (stream === null || typeof stream !== 'object' || stream.positions === null || typeof stream.positions !== 'object' || !Array.isArray(stream.sessions)) fail('stream is malformed');
    for (const [name, seq] of Object.entries(stream.positions)) if (!isInt(seq, 0, Number.MAX_SAFE_INTEGER)) fail(`stream position of ${JSON.stringify(name)} is malformed`);
    stream.sessions.forEach((s, i) => {
      if (typeof s?.router !== 'string' || !Array.isArray(s.messages) || !s.messages.every((m) => typeof m === 'string')) fail(`stream session ${i} is malformed`);
    });
  }
  return meta;
}
