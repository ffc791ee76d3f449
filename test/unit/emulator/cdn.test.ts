import { startEmulator, DEFAULT_KEY, type Emulator } from '../../emulator';
import { checkPresigned, presignedPath, PRESIGN_EXPIRES_SECONDS } from '../../emulator/cdn/presign';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.close());
beforeEach(() => emu.control.reset());

describe('CDN origin', () => {
  it('is a second origin on 127.0.0.1', () => {
    expect(emu.cdnUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(emu.cdnUrl).not.toBe(emu.url);
  });

  it('refuses (403) and records a request carrying Authorization', async () => {
    const res = await fetch(`${emu.cdnUrl}/files/large-100.mp4`, { headers: { authorization: `Bearer ${DEFAULT_KEY}` } });
    expect(res.status).toBe(403);
    await res.text();
    const ok = await fetch(`${emu.cdnUrl}/files/large-100.mp4`);
    expect(ok.status).toBe(200);
    await ok.arrayBuffer();
    const log = emu.control.cdnRequests();
    expect(log.map((r) => r.status)).toEqual([403, 200]);
    expect(log[0].headers.authorization).toBe(`Bearer ${DEFAULT_KEY}`);
    expect(log[1].headers.authorization).toBeUndefined();
    expect(log[0].path).toBe('/files/large-100.mp4');
  });

  it('answers 404 for unknown files, and the control API lists CDN requests', async () => {
    const res = await fetch(`${emu.cdnUrl}/files/nope.png`);
    expect(res.status).toBe(404);
    await res.text();
    const listed = await (await fetch(`${emu.url}/__emulator/cdn-requests`)).json();
    expect(listed).toEqual([expect.objectContaining({ path: '/files/nope.png', status: 404 })]);
  });

  it('streams a large MP4 (ftyp box first, exact length) in many chunks', async () => {
    const size = 20 * 1024 * 1024 + 7;
    const res = await fetch(`${emu.cdnUrl}/files/large-${size}.mp4`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('video/mp4');
    expect(res.headers.get('content-length')).toBe(String(size));
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let total = 0;
    let chunks = 0;
    let head: Buffer | null = null;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!head) head = Buffer.from(value.subarray(0, 40));
      total += value.length;
      chunks += 1;
    }
    expect(total).toBe(size);
    expect(chunks).toBeGreaterThan(10);
    expect(head!.toString('latin1', 4, 12)).toBe('ftypisom');
    expect(head!.toString('latin1', 36, 40)).toBe('mdat');
    expect(head!.readUInt32BE(32)).toBe(size - 32);
  });

  it('/goto answers a redirect to any URL, with the status asked (default 302); 400 without a target', async () => {
    for (const [query, status] of [['', 302], ['&status=301', 301], ['&status=308', 308]] as const) {
      const res = await fetch(`${emu.cdnUrl}/goto?to=${encodeURIComponent('file:///etc/passwd')}${query}`, { redirect: 'manual' });
      await res.text();
      expect(res.status).toBe(status);
      expect(res.headers.get('location')).toBe('file:///etc/passwd');
    }
    for (const bad of ['/goto', '/goto?to=/x&status=200']) {
      const res = await fetch(`${emu.cdnUrl}${bad}`, { redirect: 'manual' });
      await res.text();
      expect(res.status).toBe(400);
    }
  });

  it('/hops/<n>/<name> redirects n times (relative, then to an absolute presigned link on the same host)', async () => {
    const res = await fetch(`${emu.cdnUrl}/hops/2/large-64.mp4`);
    expect(res.status).toBe(200);
    expect((await res.arrayBuffer()).byteLength).toBe(64);
    expect(emu.control.cdnRequests().map((r) => [r.path, r.status])).toEqual([
      ['/hops/2/large-64.mp4', 302],
      ['/hops/1/large-64.mp4', 302],
      ['/signed/large-64.mp4', 200],
    ]);
    const unsigned = await fetch(`${emu.cdnUrl}/signed/large-64.mp4?X-Amz-Signature=00`);
    expect(unsigned.status).toBe(403);
    expect(await unsigned.text()).toContain('AccessDenied');
    // A request with Authorization is refused on every path, redirects included.
    const keyed = await fetch(`${emu.cdnUrl}/hops/1/large-64.mp4`, { headers: { authorization: 'Bearer x' }, redirect: 'manual' });
    await keyed.text();
    expect(keyed.status).toBe(403);
  });

  it('presigned links: valid for their lifetime, then expired; another name or key does not verify', () => {
    const key = Buffer.alloc(32, 1);
    const now = Date.UTC(2026, 0, 2, 3, 4, 5);
    const query = new URL(presignedPath(key, 'a.mp4', now), 'http://x').searchParams;
    expect(query.get('X-Amz-Date')).toBe('20260102T030405Z');
    expect(checkPresigned(key, 'a.mp4', query, now + 1000)).toBeUndefined();
    expect(checkPresigned(key, 'a.mp4', query, now + PRESIGN_EXPIRES_SECONDS * 1000 + 1000)).toBe('expired');
    expect(checkPresigned(key, 'b.mp4', query, now)).toBe('signature');
    expect(checkPresigned(Buffer.alloc(32, 2), 'a.mp4', query, now)).toBe('signature');
  });

  it('serves files stored by jobs with their content type, and reset() forgets them', async () => {
    // White-box: jobs put files in the store; here we go through the public HTTP surface only after.
    const res = await fetch(`${emu.cdnUrl}/files/large-64.mp4`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe('64');
  });
});
