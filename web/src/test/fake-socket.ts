/** socket.io-client's `io`, faked: tests push server events and read what the page emitted. */
type Listener = (...args: unknown[]) => void;

export class FakeSocket {
  connected = false;
  emitted: { event: string; args: unknown[] }[] = [];
  private listeners = new Map<string, Set<Listener>>();

  on(event: string, listener: Listener): this {
    if (!this.listeners.has(event)) this.listeners.set(event, new Set());
    this.listeners.get(event)?.add(listener);
    return this;
  }

  off(event: string, listener: Listener): this {
    this.listeners.get(event)?.delete(listener);
    return this;
  }

  removeAllListeners(): this {
    this.listeners.clear();
    return this;
  }

  connect(): this {
    this.connected = true;
    this.fire('connect');
    return this;
  }

  disconnect(): this {
    if (this.connected) {
      this.connected = false;
      this.fire('disconnect', 'io client disconnect');
    }
    return this;
  }

  emit(event: string, ...args: unknown[]): this {
    this.emitted.push({ event, args });
    const ack = args[args.length - 1];
    if (typeof ack === 'function') {
      const room = args[0] as Record<string, unknown>;
      const [kind, value] = Object.entries(room)[0] ?? ['?', '?'];
      (ack as Listener)({ ok: true, room: `${kind}:${String(value)}` });
    }
    return this;
  }

  /** The server sends `event`. */
  push(event: string, payload: unknown): void {
    this.fire(event, payload);
  }

  listenerCount(event: string): number {
    return this.listeners.get(event)?.size ?? 0;
  }

  private fire(event: string, ...args: unknown[]): void {
    for (const listener of [...(this.listeners.get(event) ?? [])]) listener(...args);
  }
}

export const sockets: FakeSocket[] = [];

export function io(): FakeSocket {
  const socket = new FakeSocket();
  sockets.push(socket);
  return socket;
}

export function lastSocket(): FakeSocket {
  const socket = sockets[sockets.length - 1];
  if (!socket) throw new Error('no socket was created');
  return socket;
}
