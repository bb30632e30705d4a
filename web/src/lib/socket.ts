/**
 * One Socket.IO connection for the whole dashboard: same origin, path `/socket.io`, with the
 * session cookie. Rooms are joined with `subscribe` and joined again after every reconnect,
 * since the server forgets a connection's rooms when it drops.
 */
import { useEffect, useRef, useSyncExternalStore } from 'react';
import { io, type Socket } from 'socket.io-client';

export type Room = { competition: string } | { fixture: number };

export type SubscribeAck = { ok: true; room: string } | { ok: false; error: string };

export const ODDS_UPDATE = 'odds:update';
export const PREDICTION_UPDATE = 'prediction:update';
export const BET_SETTLED = 'bet:settled';
/** Pushed to the signed-in user's own room (joined on connect), like `bet:settled`. */
export const ALERT_NEW = 'alert:new';

let socket: Socket | null = null;

export function getSocket(): Socket {
  if (!socket) {
    socket = io({ path: '/socket.io', withCredentials: true, autoConnect: false });
  }
  return socket;
}

export function connectSocket(): void {
  const current = getSocket();
  if (!current.connected) current.connect();
}

export function disconnectSocket(): void {
  socket?.disconnect();
}

/** Forget the connection (tests; signing out as another user). */
export function resetSocket(): void {
  socket?.removeAllListeners();
  socket?.disconnect();
  socket = null;
}

function subscribeStatus(onChange: () => void): () => void {
  const current = getSocket();
  current.on('connect', onChange);
  current.on('disconnect', onChange);
  current.on('connect_error', onChange);
  return () => {
    current.off('connect', onChange);
    current.off('disconnect', onChange);
    current.off('connect_error', onChange);
  };
}

/** Whether the live connection is up, re-rendering on every change. */
export function useSocketConnected(): boolean {
  return useSyncExternalStore(
    subscribeStatus,
    () => getSocket().connected,
    () => false,
  );
}

function roomKey(room: Room): string {
  return 'competition' in room ? `competition:${room.competition}` : `fixture:${room.fixture}`;
}

function parseRoom(key: string): Room {
  const [kind, value = ''] = key.split(/:(.*)/s);
  return kind === 'fixture' ? { fixture: Number(value) } : { competition: value };
}

/** Join `rooms` while mounted (and after every reconnect); leave them on unmount or change. */
export function useSocketRooms(rooms: readonly Room[]): void {
  const key = rooms.map(roomKey).sort().join('|');
  useEffect(() => {
    const current = getSocket();
    const wanted = key ? key.split('|').map(parseRoom) : [];
    const join = (): void => {
      for (const room of wanted) {
        current.emit('subscribe', room, (ack: SubscribeAck) => {
          if (!ack.ok) console.warn(`live updates for ${roomKey(room)} refused: ${ack.error}`);
        });
      }
    };
    if (current.connected) join();
    current.on('connect', join);
    return () => {
      current.off('connect', join);
      if (current.connected) for (const room of wanted) current.emit('unsubscribe', room);
    };
  }, [key]);
}

/** Call `handler` for each `event` while mounted; the newest handler is always the one called. */
export function useSocketEvent<T>(event: string, handler: (payload: T) => void): void {
  const handlerRef = useRef(handler);
  useEffect(() => {
    handlerRef.current = handler;
  });
  useEffect(() => {
    const current = getSocket();
    const listener = (payload: T): void => handlerRef.current(payload);
    current.on(event, listener);
    return () => {
      current.off(event, listener);
    };
  }, [event]);
}
