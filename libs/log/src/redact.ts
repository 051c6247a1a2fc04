/** Fields whose values never reach a log line (pino replaces them with "[Redacted]"). */
export const REDACTED_PATHS: readonly string[] = [
  'password',
  '*.password',
  'etcdPassword',
  '*.etcdPassword',
  'authorization',
  '*.authorization',
];
