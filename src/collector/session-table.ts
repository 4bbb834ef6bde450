/**
 * Which BMP connections the collector holds, and which it lets go when a limit is reached.
 *
 * A connection is *pending* from accept until its Initiation message arrives (RFC 7854 4.3:
 * the first message), *established* after. Only an established session belongs to a router.
 *
 * Limits, checked when a connection arrives:
 * - at most `maxSessions` connections in all;
 * - at most `maxPerAddress` from one source address (a NAT or a BMP proxy may carry several
 *   routers, so this is more than one);
 * - at most `maxPending` pending connections.
 * When a limit is reached, the oldest pending connection that counts toward it is closed to
 * make room (it had the longest time to send an Initiation); only when none is pending is the
 * new connection refused. So connections that never send an Initiation (port scans, idle
 * clients, a half-sent Initiation) can delay but never lock out a router: they are evicted,
 * and each is closed anyway after the Initiation timeout.
 */

/** A connection as the table tracks it. */
export interface TrackedConnection {
  /** Source address (the router's, or its NAT's). */
  readonly address: string;
  /** Close it; `reason` goes to the log and the router's status. Called at most once by the table. */
  close(reason: string): void;
}

/** Limits of a {@link SessionTable}. */
export interface SessionLimits {
  /** Most connections in all. */
  readonly maxSessions: number;
  /** Most connections from one source address. */
  readonly maxPerAddress: number;
  /** Most connections still waiting for their Initiation. */
  readonly maxPending: number;
}

/** The connections the collector holds; see the module doc. */
export class SessionTable<C extends TrackedConnection> {
  private readonly limits: SessionLimits;
  /** Pending connections in arrival order (a Set keeps insertion order: the first is the oldest). */
  private readonly pending = new Set<C>();
  private readonly established = new Set<C>();
  private readonly perAddress = new Map<string, number>();

  constructor(limits: SessionLimits) {
    this.limits = limits;
  }

  /** Connections held (pending and established). */
  get size(): number {
    return this.pending.size + this.established.size;
  }

  /** Connections still waiting for their Initiation. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Connections held from `address`. */
  countFrom(address: string): number {
    return this.perAddress.get(address) ?? 0;
  }

  /**
   * Make room for a new connection from `address`, closing the oldest pending connections that
   * stand in the way; returns `null` when it may be added, else why it is refused.
   */
  admit(address: string): string | null {
    if (this.size >= this.limits.maxSessions && !this.evictOldest(() => true, `pending connection closed: the session limit of ${this.limits.maxSessions} is reached`)) {
      return `session limit of ${this.limits.maxSessions} reached (all sessions established)`;
    }
    if (
      this.countFrom(address) >= this.limits.maxPerAddress &&
      !this.evictOldest((c) => c.address === address, `pending connection closed: the limit of ${this.limits.maxPerAddress} sessions from ${address} is reached`)
    ) {
      return `limit of ${this.limits.maxPerAddress} sessions from ${address} reached (all established)`;
    }
    if (this.pending.size >= this.limits.maxPending) {
      this.evictOldest(() => true, `pending connection closed: ${this.limits.maxPending} connections are waiting for their Initiation`);
    }
    return null;
  }

  /** Track a new (pending) connection; call {@link admit} first. */
  add(connection: C): void {
    this.pending.add(connection);
    this.perAddress.set(connection.address, this.countFrom(connection.address) + 1);
  }

  /** Its Initiation arrived: the connection no longer counts as pending. */
  establish(connection: C): void {
    if (this.pending.delete(connection)) this.established.add(connection);
  }

  /** Stop tracking a closed connection (idempotent). */
  remove(connection: C): void {
    if (!this.pending.delete(connection) && !this.established.delete(connection)) return;
    const count = this.countFrom(connection.address) - 1;
    if (count > 0) this.perAddress.set(connection.address, count);
    else this.perAddress.delete(connection.address);
  }

  /** Close and forget the oldest pending connection matching `which`; false when there is none. */
  private evictOldest(which: (connection: C) => boolean, reason: string): boolean {
    for (const connection of this.pending) {
      if (!which(connection)) continue;
      this.remove(connection);
      connection.close(reason);
      return true;
    }
    return false;
  }
}
