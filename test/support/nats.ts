/**
 * A real `nats-server -js` for tests: its own free port and temp store directory, stopped and
 * restarted on the same port (to test a bus going away), removed at the end.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'nats';
import { missingTool } from './requirements.js';

/** `false` when nats-server is on PATH, else the one-line skip reason (under CI it throws). */
export function natsSkipReason(): false | string {
  return missingTool('nats-server', 'nats-server', ['--version']);
}

/** A free TCP port on 127.0.0.1 (bound on port 0, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Server settings beyond the defaults. */
export interface NatsServerOptions {
  /** The largest message the server takes, bytes (`max_payload`; nats-server's default is 1 MiB). */
  readonly maxPayload?: number;
}

/** One nats-server with JetStream; {@link start} and {@link stop} may be called repeatedly. */
export class NatsServer {
  readonly port: number;
  readonly storeDir: string;
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();

  /** A configuration file (in the store directory) when the server has settings beyond the flags. */
  private readonly configFile: string | null;

  private constructor(port: number, options: NatsServerOptions) {
    this.port = port;
    this.storeDir = mkdtempSync(join(tmpdir(), 'ribstore-nats-'));
    this.configFile = null;
    if (options.maxPayload !== undefined) {
      this.configFile = join(this.storeDir, 'nats.conf');
      writeFileSync(this.configFile, `max_payload: ${options.maxPayload}\n`);
    }
  }

  /** A server on a free port, not started yet. */
  static async create(options: NatsServerOptions = {}): Promise<NatsServer> {
    return new NatsServer(await freePort(), options);
  }

  /** The running server's process id (null when stopped): benchmarks read its CPU time. */
  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  /** The client URL. */
  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  /** Start it and wait until it accepts connections. */
  async start(): Promise<void> {
    const child = spawn('nats-server', [...(this.configFile ? ['-c', this.configFile] : []), '-js', '-a', '127.0.0.1', '-p', String(this.port), '-sd', this.storeDir], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    child.stderr!.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000)));
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const deadline = Date.now() + 15_000;
    while (!(await accepts(this.port))) {
      if (child.exitCode !== null) throw new Error(`nats-server exited with ${child.exitCode}: ${log}`);
      if (Date.now() > deadline) throw new Error(`nats-server did not listen on ${this.port} within 15 s: ${log}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Stop it (SIGTERM, SIGKILL after 5 s); the store stays for the next start. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await this.exited;
    clearTimeout(timer);
    this.child = null;
  }

  /** Stop it and delete its store. */
  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.storeDir, { recursive: true, force: true });
  }
}

/** A stored JetStream message: its subject and payload. */
export interface StoredMessage {
  subject: string;
  data: Uint8Array;
}

/**
 * The messages of `stream` from sequence `from` (default: its first) to its last, in stream
 * order, and that last sequence: what the publish and follow tests compare with what was sent.
 */
export async function storedMessages(url: string, stream = 'RIBSTORE_BMP', from?: number): Promise<{ messages: StoredMessage[]; last: number }> {
  const nc = await connect({ servers: url });
  try {
    const jsm = await nc.jetstreamManager();
    const { first_seq: first, last_seq: last } = (await jsm.streams.info(stream)).state;
    const messages: StoredMessage[] = [];
    for (let seq = from ?? first; seq <= last; seq++) {
      const message = await jsm.streams.getMessage(stream, { seq });
      messages.push({ subject: message.subject, data: message.data });
    }
    return { messages, last };
  } finally {
    await nc.close();
  }
}
