import { describe, expect, test } from 'vitest';
import { Conversation, type ConversationState } from './conversation.js';
import type { BackendMessage, SupervisorMessage } from './messages.js';
import { parseBackendMessage } from './parse-backend-message.js';
import { parseSupervisorMessage } from './parse-supervisor-message.js';
import { ProtocolError } from './protocol-error.js';
import { wireSamples } from '@flannel-ts/testing';

const fromSupervisor = {
  init: parseSupervisorMessage(wireSamples.init()),
  lease: parseSupervisorMessage(wireSamples.lease()),
  peers: parseSupervisorMessage(wireSamples.peers()),
  peerEvents: parseSupervisorMessage(wireSamples.peerEvents()),
  shutdown: parseSupervisorMessage(wireSamples.shutdown()),
  protocolError: parseSupervisorMessage(wireSamples.protocolError()),
};
const fromBackend = {
  propose: parseBackendMessage(wireSamples.propose()),
  ready: parseBackendMessage(wireSamples.ready()),
  status: parseBackendMessage(wireSamples.status()),
  error: parseBackendMessage(wireSamples.error()),
};

type Step = ['s', SupervisorMessage] | ['b', BackendMessage];
const S = (m: SupervisorMessage): Step => ['s', m];
const B = (m: BackendMessage): Step => ['b', m];

function play(steps: readonly Step[]): Conversation {
  const conversation = new Conversation();
  for (const [from, msg] of steps) {
    if (from === 's') conversation.supervisorMessage(msg);
    else conversation.backendMessage(msg);
  }
  return conversation;
}

function refusalAfter(steps: readonly Step[], last: Step): ProtocolError {
  const conversation = play(steps);
  try {
    if (last[0] === 's') conversation.supervisorMessage(last[1]);
    else conversation.backendMessage(last[1]);
  } catch (error) {
    if (error instanceof ProtocolError) return error;
    throw error;
  }
  throw new Error('accepted');
}

const handshake: Step[] = [S(fromSupervisor.init), B(fromBackend.propose), S(fromSupervisor.lease), B(fromBackend.ready)];

describe('Conversation', () => {
  test('walks the states of the handshake', () => {
    const conversation = new Conversation();
    const states: ConversationState[] = [conversation.state];
    for (const step of [...handshake, S(fromSupervisor.lease), B(fromBackend.ready), S(fromSupervisor.shutdown)]) {
      if (step[0] === 's') conversation.supervisorMessage(step[1]);
      else conversation.backendMessage(step[1]);
      states.push(conversation.state);
    }
    expect(states).toEqual([
      'awaiting-init',
      'proposing',
      'awaiting-lease',
      'configuring',
      'running',
      'configuring',
      'running',
      'shut-down',
    ]);
  });

  test('the full flow: snapshot, batches, a new lease, status and errors at any time', () => {
    expect(() =>
      play([
        B(fromBackend.status),
        ...handshake,
        S(fromSupervisor.peers),
        S(fromSupervisor.peerEvents),
        B(fromBackend.status),
        S(fromSupervisor.peerEvents),
        S(fromSupervisor.lease),
        S(fromSupervisor.peers),
        B(fromBackend.error),
        B(fromBackend.ready),
        S(fromSupervisor.shutdown),
        B(fromBackend.status),
      ]),
    ).not.toThrow();
  });

  test('peers may arrive before the backend answered the lease (the two directions interleave)', () => {
    expect(() => play([S(fromSupervisor.init), B(fromBackend.propose), S(fromSupervisor.lease), S(fromSupervisor.peers), B(fromBackend.ready)])).not.toThrow();
  });

  test('shutdown and protocol-error are accepted in any state', () => {
    expect(play([S(fromSupervisor.shutdown)]).state).toBe('shut-down');
    expect(play([S(fromSupervisor.protocolError), S(fromSupervisor.init)]).state).toBe('proposing');
  });

  test.each<[string, Step[], Step, string]>([
    ['lease before init', [], S(fromSupervisor.lease), 'unexpected lease in state "awaiting-init": init must come first'],
    ['lease before propose', [S(fromSupervisor.init)], S(fromSupervisor.lease), 'unexpected lease in state "proposing": the backend has not proposed yet'],
    ['peers before the first lease', handshake.slice(0, 2), S(fromSupervisor.peers), 'unexpected peers in state "awaiting-lease": peers come after the first lease'],
    ['peer-events before a snapshot', handshake, S(fromSupervisor.peerEvents), 'unexpected peer-events in state "running": a peers snapshot must come first'],
    ['a second init', handshake, S(fromSupervisor.init), 'unexpected init in state "running": init comes once, first'],
    ['anything after shutdown', [...handshake, S(fromSupervisor.shutdown)], S(fromSupervisor.lease), 'unexpected lease in state "shut-down": nothing may follow shutdown'],
    ['propose before init', [], B(fromBackend.propose), 'unexpected propose in state "awaiting-init": init must come first'],
    ['propose twice', handshake.slice(0, 2), B(fromBackend.propose), 'unexpected propose in state "awaiting-lease": propose comes once, after init'],
    ['ready without a lease', handshake.slice(0, 2), B(fromBackend.ready), 'unexpected ready in state "awaiting-lease": no lease is waiting for ready'],
    ['one ready too many', handshake, B(fromBackend.ready), 'unexpected ready in state "running": no lease is waiting for ready'],
  ])('refuses %s, naming the state', (_name, before, last, message) => {
    expect(refusalAfter(before, last)).toMatchObject({ message, kind: 'order', messageType: last[1].type });
  });

  test('a refused message changes nothing', () => {
    const conversation = play(handshake.slice(0, 1));
    expect(() => conversation.supervisorMessage(fromSupervisor.lease)).toThrow(ProtocolError);
    expect(conversation.state).toBe('proposing');
    conversation.backendMessage(fromBackend.propose);
    conversation.supervisorMessage(fromSupervisor.lease);
    expect(conversation.state).toBe('configuring');
  });
});
