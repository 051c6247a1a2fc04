import { afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { startHealthServer, type HealthServer, type ReadyState } from './health-server.js';

const servers: HealthServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close(3_000)));
});

async function serve(state: () => ReadyState) {
  const server = await startHealthServer({
    host: '127.0.0.1',
    port: 0,
    log: pino({ level: 'silent' }),
    source: {
      ready: state,
      metrics: async () => ({ contentType: 'text/plain; version=0.0.4', body: '# TYPE flannel_ready gauge\nflannel_ready 1\n' }),
      status: () => ({ mode: 'single', networks: [] }),
    },
  });
  servers.push(server);
  const get = async (path: string, method = 'GET') => {
    const res = await fetch(`http://127.0.0.1:${server.port}${path}`, { method });
    return { code: res.status, body: await res.text(), type: res.headers.get('content-type') };
  };
  return { server, get };
}

describe('startHealthServer', () => {
  it('answers /healthz to any method, /readyz with the reason, /metrics and /status', async () => {
    let state: ReadyState = { ready: false, reason: 'waiting for a lease' };
    const { get } = await serve(() => state);
    expect(await get('/healthz')).toMatchObject({ code: 200, body: 'flanneld is running' });
    expect(await get('/healthz', 'POST')).toMatchObject({ code: 200, body: 'flanneld is running' });
    expect(await get('/readyz')).toMatchObject({ code: 503, body: 'waiting for a lease\n' });
    state = { ready: true };
    expect(await get('/readyz?verbose')).toMatchObject({ code: 200, body: 'ok\n' });
    expect(await get('/metrics')).toMatchObject({ code: 200, body: expect.stringContaining('flannel_ready 1'), type: 'text/plain; version=0.0.4' });
    const status = await get('/status');
    expect(JSON.parse(status.body)).toEqual({ mode: 'single', networks: [] });
    expect(await get('/nope')).toMatchObject({ code: 404 });
    expect(await get('/readyz', 'DELETE')).toMatchObject({ code: 405 });
  });

  it('names the address it cannot listen on', async () => {
    const { server } = await serve(() => ({ ready: true }));
    await expect(
      startHealthServer({
        host: '127.0.0.1',
        port: server.port,
        log: pino({ level: 'silent' }),
        source: { ready: () => ({ ready: true }), metrics: async () => ({ contentType: '', body: '' }), status: () => ({}) },
      }),
    ).rejects.toMatchObject({ message: `health endpoint: cannot listen on 127.0.0.1:${server.port}`, cause: { code: 'EADDRINUSE' } });
  });

  it('closes with keep-alive connections open', async () => {
    const { server, get } = await serve(() => ({ ready: true }));
    await get('/healthz');
    servers.splice(servers.indexOf(server), 1);
    await server.close(3_000);
    await expect(get('/healthz')).rejects.toThrow();
  });
});
