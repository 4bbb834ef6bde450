/**
 * GoBGP (`gobgpd` + `gobgp` CLI, Debian package gobgpd) as a real BGP speaker and BMP sender
 * for tests. Reusable: the BMP codec tests and the collector tests start it the same way.
 *
 * ```
 *   injector  gobgpd AS 65000  127.0.0.2:<base+1>   gRPC 127.0.0.1:<base+3>   <- `gobgp global rib add`
 *       |  iBGP (so LOCAL_PREF travels and AS paths arrive exactly as injected)
 *   router    gobgpd AS 65000  127.0.0.3:<base+0>   gRPC 127.0.0.1:<base+2>   router-id 127.0.0.1
 *       |  BMP -> 127.0.0.1:<bmpPort> (the test's listener)
 * ```
 *
 * Lessons built in (from running GoBGP 3.10 as a BMP sender):
 * - Two gobgpd on one host need distinct `--api-hosts` and `--pprof-disable` (both default to
 *   localhost:6060 for pprof).
 * - GoBGP treats 127/8 next hops as invalid ("treat as withdraw"): inject routes with
 *   documentation next hops (192.0.2.x, 2001:db8::x); they are only attribute values.
 * - BMP carries only routes received from peers (Adj-RIB-In) and the Loc-RIB, hence two daemons.
 * - The BMP client connects once the listener is up, with back-off (1, 2, 4 ... 30 s) if it is
 *   not: start the listener first. `statistics-timeout` must be 0 or >= 15.
 * - Termination is only sent on `gobgp bmp del`, not on SIGTERM.
 *
 * Every daemon started here is recorded and killed on stop(), and with SIGKILL at process exit
 * if a test failed before stopping it. Addresses are loopback only.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { missingTool } from './requirements.js';

/** `false` when gobgpd and gobgp are on PATH, else the one-line skip reason (under CI it throws). */
export function gobgpSkipReason(): false | string {
  return missingTool('gobgpd', 'gobgpd', ['--version']) || missingTool('gobgp', 'gobgpd', ['--version']);
}

/** A BGP neighbor in a generated gobgpd config. */
export interface GobgpNeighbor {
  /** The neighbor's address. */
  address: string;
  peerAs: number;
  /** Our address on the session. */
  localAddress: string;
  /** The neighbor's BGP port (when we connect). */
  remotePort: number;
  /** Wait for the neighbor to connect instead of connecting. */
  passive?: boolean;
  /** AFI/SAFI names (default ipv4-unicast and ipv6-unicast). */
  families?: string[];
}

/** A `[[bmp-servers]]` entry. */
export interface GobgpBmpServer {
  address: string;
  port: number;
  /** GoBGP route-monitoring-policy: pre-policy, post-policy, both, local-rib or all. */
  policy: 'pre-policy' | 'post-policy' | 'both' | 'local-rib' | 'all';
  /** Seconds between Statistics Reports: 0 (off) or at least 15. */
  statisticsTimeout?: number;
  sysName?: string;
  sysDescr?: string;
}

/** What a gobgpd instance is started with. */
export interface GobgpConfig {
  /** Names the instance in file names and errors. */
  name: string;
  as: number;
  routerId: string;
  /** Loopback address the BGP listener binds. */
  listenAddress: string;
  bgpPort: number;
  /** gRPC API port on 127.0.0.1 (the `gobgp` CLI talks to it). */
  apiPort: number;
  neighbors: GobgpNeighbor[];
  bmpServers?: GobgpBmpServer[];
  /** Advertise nothing to neighbors (a monitored router that only listens). */
  rejectExport?: boolean;
}

const q = (text: string): string => JSON.stringify(text);

/** The gobgpd TOML for `config`. */
export function gobgpToml(config: GobgpConfig): string {
  const lines = [
    '[global.config]',
    `  as = ${config.as}`,
    `  router-id = ${q(config.routerId)}`,
    `  port = ${config.bgpPort}`,
    `  local-address-list = [${q(config.listenAddress)}]`,
  ];
  if (config.rejectExport) lines.push('', '[global.apply-policy.config]', '  default-export-policy = "reject-route"');
  for (const bmp of config.bmpServers ?? []) {
    lines.push(
      '',
      '[[bmp-servers]]',
      '  [bmp-servers.config]',
      `    address = ${q(bmp.address)}`,
      `    port = ${bmp.port}`,
      `    route-monitoring-policy = ${q(bmp.policy)}`,
      `    statistics-timeout = ${bmp.statisticsTimeout ?? 0}`,
      `    sys-name = ${q(bmp.sysName ?? config.name)}`,
      `    sys-descr = ${q(bmp.sysDescr ?? `GoBGP test router ${config.name}`)}`,
    );
  }
  for (const n of config.neighbors) {
    lines.push(
      '',
      '[[neighbors]]',
      '  [neighbors.config]',
      `    neighbor-address = ${q(n.address)}`,
      `    peer-as = ${n.peerAs}`,
      '  [neighbors.transport.config]',
      `    local-address = ${q(n.localAddress)}`,
      n.passive ? '    passive-mode = true' : `    remote-port = ${n.remotePort}`,
    );
    for (const family of n.families ?? ['ipv4-unicast', 'ipv6-unicast']) {
      lines.push('  [[neighbors.afi-safis]]', '    [neighbors.afi-safis.config]', `      afi-safi-name = ${q(family)}`);
    }
  }
  return lines.join('\n') + '\n';
}

/** Every daemon still running, killed at exit if a test forgot (or failed before) stop(). */
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** One running gobgpd. */
export class GobgpDaemon {
  readonly config: GobgpConfig;
  /** Its log file (stdout and stderr). */
  readonly logPath: string;
  private readonly child: ChildProcess;
  private readonly exited: Promise<void>;

  private constructor(config: GobgpConfig, child: ChildProcess, logPath: string) {
    this.config = config;
    this.child = child;
    this.logPath = logPath;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    void this.exited.then(() => running.delete(child));
  }

  /** Write the config into `dir` and start gobgpd; resolves once its API answers. */
  static async start(config: GobgpConfig, dir: string): Promise<GobgpDaemon> {
    const configPath = join(dir, `${config.name}.toml`);
    const logPath = join(dir, `${config.name}.log`);
    writeFileSync(configPath, gobgpToml(config));
    const log = openSync(logPath, 'a');
    const child = spawn(
      'gobgpd',
      ['-f', configPath, '--api-hosts', `127.0.0.1:${config.apiPort}`, '--pprof-disable', '-p', '-l', 'info'],
      { stdio: ['ignore', log, log] },
    );
    closeSync(log); // the child holds its own copy
    running.add(child);
    const daemon = new GobgpDaemon(config, child, logPath);
    try {
      await waitFor(async () => {
        if (child.exitCode !== null) throw new Error(`gobgpd ${config.name} exited with ${child.exitCode}:\n${daemon.log()}`);
        await daemon.cli('global');
        return true;
      }, 15_000, `gobgpd ${config.name} API on 127.0.0.1:${config.apiPort}`);
    } catch (error) {
      await daemon.stop();
      throw error;
    }
    return daemon;
  }

  /** Run the `gobgp` CLI against this daemon; resolves to its stdout. */
  cli(...args: string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile('gobgp', ['-u', '127.0.0.1', '-p', String(this.config.apiPort), ...args], { timeout: 10_000 }, (error, stdout, stderr) => {
        if (error) reject(new Error(`gobgp ${args.join(' ')} (${this.config.name}): ${stderr.trim() || error.message}`));
        else resolve(stdout);
      });
    });
  }

  /** Resolve once the session to `neighbor` is Established. */
  async waitEstablished(neighbor: string, timeoutMs = 30_000): Promise<void> {
    await waitFor(async () => /BGP state = ESTABLISHED/i.test(await this.cli('neighbor', neighbor)), timeoutMs, `${this.config.name}: session to ${neighbor} Established`);
  }

  /** The daemon's log so far (for failure messages). */
  log(): string {
    try {
      return readFileSync(this.logPath, 'utf8');
    } catch {
      return '';
    }
  }

  /** SIGTERM, then SIGKILL after 5 s; resolves when the process is gone. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await this.exited;
    clearTimeout(timer);
  }
}

/** Poll `check` every 100 ms until it returns true (errors count as "not yet" until the deadline). */
export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      if (await check()) return;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Whether `port` can be bound on `host` right now. */
function portFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, host, () => probe.close(() => resolve(true)));
  });
}

/**
 * A block of `count` consecutive TCP ports inside [from, to] that are free on the loopback
 * addresses the pair uses (127.0.0.1-3), picked at random so that concurrent test runs (two
 * worktrees, a CI job) rarely collide, and probed so that they never reuse a busy port.
 */
export async function freePortBlock(count: number, from = 21000, to = 21999): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = from + Math.floor(Math.random() * (to - from + 2 - count));
    let free = true;
    for (let port = base; free && port < base + count; port++) {
      for (const host of ['127.0.0.1', '127.0.0.2', '127.0.0.3']) {
        if (!(await portFree(port, host))) {
          free = false;
          break;
        }
      }
    }
    if (free) return base;
  }
  throw new Error(`no block of ${count} free TCP ports in ${from}-${to}`);
}

/** Options of {@link startGobgpPair}. */
export interface GobgpPairOptions {
  /** Four consecutive TCP ports from here: router BGP, injector BGP, router API, injector API. */
  portBase: number;
  /** Where the router sends BMP (127.0.0.1). Start the listener first. */
  bmpPort: number;
  /** More BMP collectors (127.0.0.1 ports) the router also streams to, with the same policy. */
  extraBmpPorts?: number[];
  /** Route-monitoring policy (default `all`: pre-policy, post-policy and Loc-RIB). */
  bmpPolicy?: GobgpBmpServer['policy'];
  /** Statistics interval in seconds (0 off, else >= 15). */
  statisticsTimeout?: number;
  /** AS of both (iBGP). Default 65000. */
  as?: number;
}

/** An injector and a monitored router; see the module doc. */
export interface GobgpPair {
  /** Routes are added here with `gobgp global rib add`. */
  readonly injector: GobgpDaemon;
  /** The monitored router, the BMP sender. */
  readonly router: GobgpDaemon;
  /** Address of the injector as the router's neighbor. */
  readonly injectorAddress: string;
  /** Address of the router (its BGP session address). */
  readonly routerAddress: string;
  /** The temp folder with configs and logs. */
  readonly dir: string;
  /** Stop both daemons and remove the temp folder. */
  stop(): Promise<void>;
}

/** Start the injector and router on loopback and wait for their session. */
export async function startGobgpPair(options: GobgpPairOptions): Promise<GobgpPair> {
  const as = options.as ?? 65000;
  const injectorAddress = '127.0.0.2';
  const routerAddress = '127.0.0.3';
  const base = options.portBase;
  const dir = mkdtempSync(join(tmpdir(), 'ribstore-gobgp-'));
  const daemons: GobgpDaemon[] = [];
  const stop = async () => {
    await Promise.all(daemons.map((d) => d.stop()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const router = await GobgpDaemon.start(
      {
        name: 'router',
        as,
        routerId: '127.0.0.1',
        listenAddress: routerAddress,
        bgpPort: base,
        apiPort: base + 2,
        rejectExport: true,
        bmpServers: [options.bmpPort, ...(options.extraBmpPorts ?? [])].map((port) => ({
          address: '127.0.0.1',
          port,
          policy: options.bmpPolicy ?? 'all',
          statisticsTimeout: options.statisticsTimeout ?? 0,
        })),
        // passive: the injector connects as soon as it starts (no connect-retry back-off wait)
        neighbors: [{ address: injectorAddress, peerAs: as, localAddress: routerAddress, remotePort: base + 1, passive: true }],
      },
      dir,
    );
    daemons.push(router);
    const injector = await GobgpDaemon.start(
      {
        name: 'injector',
        as,
        routerId: injectorAddress,
        listenAddress: injectorAddress,
        bgpPort: base + 1,
        apiPort: base + 3,
        neighbors: [{ address: routerAddress, peerAs: as, localAddress: injectorAddress, remotePort: base }],
      },
      dir,
    );
    daemons.push(injector);
    await router.waitEstablished(injectorAddress);
    return { injector, router, injectorAddress, routerAddress, dir, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
