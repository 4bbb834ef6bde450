/**
 * GoBGP as a live BMP sender: two gobgpd on loopback (an injector and the monitored router,
 * see test/support/gobgp.ts), the router streaming BMP (pre-policy, post-policy and Loc-RIB)
 * to a listener built from this project's framer, decoder and session. Routes with AS paths,
 * communities, large communities, MED and LOCAL_PREF are injected with the `gobgp` CLI, some
 * withdrawn, then the peer is disabled and BMP removed; the decoded stream must hold exactly
 * those routes and events.
 */
import assert from 'node:assert/strict';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { test } from 'node:test';
import { formatAsPath, formatCommunity, formatLargeCommunity } from '../../../src/wire/bgp/communities.js';
import { BmpFramer, BmpSession, decodeBmpMessage, tlvText, type BmpMessage } from '../../../src/wire/bmp/index.js';
import { freePortBlock, gobgpSkipReason, startGobgpPair, waitFor, type GobgpPair } from '../../support/gobgp.js';


/** What one RIB view (pre-policy, post-policy, Loc-RIB) holds: prefix -> attribute summary. */
type View = Map<string, string>;

/** The BMP listener: decodes everything it receives and keeps RIB views and events. */
class Collector {
  readonly messages: BmpMessage[] = [];
  readonly views = new Map<string, View>();
  /** Every prefix ever announced, per view. */
  readonly everAnnounced = new Map<string, Set<string>>();
  readonly errors: unknown[] = [];
  readonly session = new BmpSession();
  private readonly framer = new BmpFramer();
  private socket: Socket | null = null;
  connections = 0;
  closed = false;

  attach(socket: Socket): void {
    this.connections++;
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const frame of this.framer.push(chunk)) this.handle(decodeBmpMessage(frame.bytes, frame.offset), frame.offset);
      } catch (error) {
        this.errors.push(error);
      }
    });
    socket.on('close', () => (this.closed = true));
  }

  destroy(): void {
    this.socket?.destroy();
  }

  private handle(message: BmpMessage, offset: number): void {
    this.messages.push(message);
    this.session.receive(message, offset);
    if (message.kind !== 'routeMonitoring') return;
    const peer = message.peer;
    const name = peer.isLocRib ? 'loc-rib' : peer.postPolicy ? 'post-policy' : 'pre-policy';
    const view = this.views.get(name) ?? new Map<string, string>();
    this.views.set(name, view);
    const ever = this.everAnnounced.get(name) ?? new Set<string>();
    this.everAnnounced.set(name, ever);
    const update = this.session.decodeUpdate(message);
    if (update.errors.length > 0) this.errors.push(...update.errors);
    const a = update.attributes;
    for (const r of [...update.withdrawn, ...(a.mpUnreach?.nlri ?? [])]) view.delete(r.prefix.toString());
    const summary = [
      `as-path ${formatAsPath(a.asPath ?? [])}`,
      `next-hop ${(a.mpReach?.nextHop ?? a.nextHop)?.toString()}`,
      `med ${a.med}`,
      `local-pref ${a.localPref}`,
      `communities ${(a.communities ?? []).map(formatCommunity).join(' ')}`,
      `large ${(a.largeCommunities ?? []).map(formatLargeCommunity).join(' ')}`,
    ].join(' | ');
    for (const r of [...update.announced, ...(a.mpReach?.nlri ?? [])]) {
      view.set(r.prefix.toString(), summary);
      ever.add(r.prefix.toString());
    }
  }

  count(kind: BmpMessage['kind']): number {
    return this.messages.filter((m) => m.kind === kind).length;
  }
}

/** The routes injected: gobgp CLI arguments, and what BMP must show for them. */
const ROUTES = [
  {
    family: 'ipv4',
    prefix: '198.51.100.0/24',
    args: ['origin', 'igp', 'aspath', '64500,64501', 'nexthop', '192.0.2.2', 'med', '50', 'local-pref', '200', 'community', '65001:100,65001:200', 'large-community', '65001:1:2,65001:3:4'],
    expect: 'as-path 64500 64501 | next-hop 192.0.2.2 | med 50 | local-pref 200 | communities 65001:100 65001:200 | large 65001:1:2 65001:3:4',
  },
  {
    family: 'ipv4',
    prefix: '203.0.113.0/25',
    args: ['origin', 'egp', 'aspath', '64500,4200000001', 'nexthop', '192.0.2.3', 'local-pref', '90', 'community', '65001:300'],
    expect: 'as-path 64500 4200000001 | next-hop 192.0.2.3 | med undefined | local-pref 90 | communities 65001:300 | large ',
  },
  {
    family: 'ipv4',
    prefix: '198.18.7.0/24',
    args: ['origin', 'incomplete', 'aspath', '64502', 'nexthop', '192.0.2.2', 'med', '0', 'large-community', '4200000001:7:8'],
    expect: 'as-path 64502 | next-hop 192.0.2.2 | med 0 | local-pref 100 | communities  | large 4200000001:7:8',
  },
  {
    family: 'ipv6',
    prefix: '2001:db8:100::/48',
    args: ['origin', 'igp', 'aspath', '64510,64511,64512', 'nexthop', '2001:db8::2', 'med', '10', 'local-pref', '300', 'community', '65001:600', 'large-community', '65001:6:6'],
    expect: 'as-path 64510 64511 64512 | next-hop 2001:db8::2 | med 10 | local-pref 300 | communities 65001:600 | large 65001:6:6',
  },
  {
    family: 'ipv6',
    prefix: '2001:db8:200::/40',
    args: ['origin', 'igp', 'aspath', '64513', 'nexthop', '2001:db8::3', 'community', '65001:601,65001:602'],
    expect: 'as-path 64513 | next-hop 2001:db8::3 | med undefined | local-pref 100 | communities 65001:601 65001:602 | large ',
  },
];
const WITHDRAWN = new Set(['203.0.113.0/25', '2001:db8:100::/48']);

const skip = gobgpSkipReason();

test('GoBGP live BMP: Peer Up, routes with their attributes, withdrawals, Peer Down, Termination', { skip, timeout: 90_000 }, async () => {
  // Five free ports in the wire-bmp range (21000-21999): gobgpd BGP x2, gRPC x2, and BMP.
  const PORT_BASE = await freePortBlock(5);
  const BMP_PORT = PORT_BASE + 4;
  const collector = new Collector();
  const server: Server = createServer((socket) => collector.attach(socket));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(BMP_PORT, '127.0.0.1', () => resolve());
  });
  let pair: GobgpPair | undefined;
  try {
    assert.equal((server.address() as AddressInfo).port, BMP_PORT);
    pair = await startGobgpPair({ portBase: PORT_BASE, bmpPort: BMP_PORT, bmpPolicy: 'all' });
    const { injector, router } = pair;
    await waitFor(() => collector.count('peerUp') >= 1, 20_000, 'BMP Peer Up');

    for (const r of ROUTES) await injector.cli('global', 'rib', '-a', r.family, 'add', r.prefix, ...r.args);
    const all = ROUTES.map((r) => r.prefix).sort();
    const holds = (name: string, prefixes: string[]) => {
      const view = collector.views.get(name);
      return view !== undefined && [...view.keys()].sort().join() === prefixes.join();
    };
    await waitFor(() => holds('pre-policy', all) && holds('post-policy', all) && holds('loc-rib', all), 20_000, 'all routes in every view');

    for (const r of ROUTES.filter((r) => WITHDRAWN.has(r.prefix))) await injector.cli('global', 'rib', '-a', r.family, 'del', r.prefix);
    const kept = all.filter((p) => !WITHDRAWN.has(p));
    await waitFor(() => holds('pre-policy', kept) && holds('post-policy', kept) && holds('loc-rib', kept), 20_000, 'withdrawals in every view');

    // Every view shows exactly the injected routes with exactly the injected attributes.
    for (const name of ['pre-policy', 'post-policy', 'loc-rib']) {
      const view = collector.views.get(name)!;
      for (const r of ROUTES.filter((r) => !WITHDRAWN.has(r.prefix))) assert.equal(view.get(r.prefix), r.expect, `${name} ${r.prefix}`);
      assert.deepStrictEqual([...collector.everAnnounced.get(name)!].sort(), all, `${name}: nothing but the injected routes`);
    }

    await router.cli('neighbor', pair.injectorAddress, 'disable');
    await waitFor(() => collector.count('peerDown') >= 1, 20_000, 'BMP Peer Down');
    // GoBGP withdraws the peer's post-policy and Loc-RIB routes before the Peer Down
    assert.equal(collector.views.get('loc-rib')!.size, 0);
    assert.equal(collector.views.get('post-policy')!.size, 0);

    await router.cli('bmp', 'del', `127.0.0.1:${BMP_PORT}`);
    await waitFor(() => collector.count('termination') >= 1, 20_000, 'BMP Termination');
  } finally {
    await pair?.stop();
    collector.destroy();
    await new Promise((resolve) => server.close(resolve));
  }

  assert.deepStrictEqual(collector.errors, [], 'no decode errors');
  assert.equal(collector.session.asSizeFallbacks + collector.session.addPathFallbacks, 0, 'no fallback needed for GoBGP');
  assert.equal(collector.connections, 1);
  const [first] = collector.messages;
  assert.equal(first?.kind, 'initiation');
  if (first?.kind === 'initiation') {
    assert.ok(first.information.some((t) => t.type === 2 && tlvText(t) === 'router'), 'sysName TLV from the config');
  }
  const up = collector.messages.find((m) => m.kind === 'peerUp');
  assert.ok(up?.kind === 'peerUp');
  assert.equal(up.peer.address.toString(), '127.0.0.2');
  assert.equal(up.peer.peerAs, 65000);
  assert.equal(up.peer.peerType, 0);
  assert.equal(up.localAddress.toString(), '127.0.0.3');
  const down = collector.messages.find((m) => m.kind === 'peerDown');
  assert.ok(down?.kind === 'peerDown');
  assert.equal(down.peer.address.toString(), '127.0.0.2');
  assert.ok([1, 2, 3, 4, 5].includes(down.reason), `a defined reason, got ${down.reason}`);
  assert.equal(collector.messages.at(-1)?.kind, 'termination');
});
