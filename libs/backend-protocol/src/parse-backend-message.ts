import { readEnvelope } from './envelope.js';
import { describeValue, type MessageFields } from './message-fields.js';
import {
  BACKEND_MESSAGE_TYPES,
  SUPERVISOR_MESSAGE_TYPES,
  type BackendMessage,
  type BackendMessageType,
  type ProposeMessage,
  type StatusMessage,
} from './messages.js';
import { readKernelReport, readMetrics } from './read-status-extras.js';
import { PROTOCOL_VERSION } from './version.js';

const v = PROTOCOL_VERSION;
const MIN_MTU = 68;
const MAX_INT32 = 0x7fffffff;

/**
 * Validates and decodes one message from a backend (a parsed JSON value).
 * Throws ProtocolError with a one-line message naming the culprit.
 */
export function parseBackendMessage(raw: unknown): BackendMessage {
  const { type, fields } = readEnvelope<BackendMessageType>(raw, {
    sender: 'backend',
    types: BACKEND_MESSAGE_TYPES,
    otherTypes: SUPERVISOR_MESSAGE_TYPES,
  });
  switch (type) {
    case 'propose':
      return readPropose(fields);
    case 'ready':
      return { v, type };
    case 'status':
      return readStatus(fields);
    case 'error':
      return { v, type, message: fields.string('message'), fatal: fields.boolean('fatal') };
    case 'protocol-error':
      return { v, type, message: fields.string('message') };
  }
}

function readPropose(fields: MessageFields): ProposeMessage {
  const backendType = fields.has('backendType') ? fields.nonEmptyString('backendType') : undefined;
  const backendData = fields.optionalObject('backendData');
  return {
    v,
    type: 'propose',
    ...(backendType === undefined ? {} : { backendType }),
    ...(backendData === undefined ? {} : { backendData }),
    mtu: fields.integer('mtu', MIN_MTU, MAX_INT32),
  };
}

function readStatus(fields: MessageFields): StatusMessage {
  const counters = fields.optionalObject('counters');
  if (counters !== undefined) {
    for (const [name, value] of Object.entries(counters)) {
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        fields.fail(`counters.${name}`, `expected a number, got ${describeValue(value)}`);
      }
    }
  }
  const detail = fields.optionalString('detail');
  const metrics = readMetrics(fields);
  const kernel = readKernelReport(fields);
  return {
    v,
    type: 'status',
    ...(counters === undefined ? {} : { counters: counters as Record<string, number> }),
    ...(detail === undefined ? {} : { detail }),
    ...(metrics === undefined ? {} : { metrics }),
    ...(kernel === undefined ? {} : { kernel }),
  };
}
