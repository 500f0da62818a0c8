import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keepAliveFetch } from './keepAliveFetch.ts';

describe('keepAliveFetch', () => {
  let server: http.Server;
  let base: string;
  const requests: { method: string; url: string; headers: http.IncomingHttpHeaders; body: string }[] = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        requests.push({
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString(),
        });
        if (req.url === '/empty') return res.writeHead(204).end();
        res.writeHead(req.url === '/missing' ? 404 : 200, req.url === '/missing' ? 'Not Here' : 'OK', {
          'content-type': 'application/json; charset=utf-8',
          'retry-after': '7',
        });
        res.end(JSON.stringify({ ok: true, échos: req.url }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('sends a string body with its headers and answers a Response that reads the same way every time', async () => {
    const fetch = keepAliveFetch();
    const response = await fetch(`${base}/api/chat.postMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Bearer xoxb-1' },
      body: 'text=h%C3%A9',
    });

    expect(response).toBeInstanceOf(Response);
    expect([response.status, response.statusText, response.ok]).toEqual([200, 'OK', true]);
    expect(response.headers.get('retry-after')).toBe('7');
    expect(await response.json()).toEqual({ ok: true, échos: '/api/chat.postMessage' });
    expect(await response.text()).toBe('{"ok":true,"échos":"/api/chat.postMessage"}');
    expect(Buffer.from(await response.arrayBuffer()).toString()).toBe(await response.text());
    expect(await (await response.blob()).text()).toBe(await response.text());
    expect(await new Response(response.body).text()).toBe(await response.text());
    expect(requests.at(-1)).toMatchObject({
      method: 'POST',
      body: 'text=h%C3%A9',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': '12' },
    });
  });

  it('answers an error status as it came, and a 204 with no body', async () => {
    const fetch = keepAliveFetch();
    const missing = await fetch(`${base}/missing`, { method: 'GET' });
    const empty = await fetch(`${base}/empty`, { method: 'POST', body: '' });

    expect([missing.status, missing.statusText, missing.ok]).toEqual([404, 'Not Here', false]);
    expect(await missing.json()).toEqual({ ok: true, échos: '/missing' });
    expect([empty.status, empty.body, await empty.text()]).toEqual([204, null, '']);
  });

  it("closes an idle socket before the server's announced keep-alive timeout, so none is reused as the server closes it", async () => {
    let connections = 0;
    const short = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => res.end('{}'));
    });
    short.keepAliveTimeout = 2_000; // announced as `Keep-Alive: timeout=2`
    short.on('connection', () => connections++);
    await new Promise<void>((resolve) => short.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(short.address() as AddressInfo).port}/`;
      const fetch = keepAliveFetch();
      await (await fetch(url, { method: 'POST', body: 'a' })).text();
      await (await fetch(url, { method: 'POST', body: 'b' })).text();
      expect(connections).toBe(1); // kept alive
      await new Promise((resolve) => setTimeout(resolve, 1_500)); // past the hint less a second, before the server's 2 s
      await (await fetch(url, { method: 'POST', body: 'c' })).text();
      expect(connections).toBe(2);
    } finally {
      short.closeAllConnections();
      await new Promise<void>((resolve) => short.close(() => resolve()));
    }
  });
});
