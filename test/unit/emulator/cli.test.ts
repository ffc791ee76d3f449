import { spawn } from 'node:child_process';
import path from 'node:path';
import { parseCliOptions } from '../../emulator/cli';
import { DEFAULT_AGENT_KEY, DEFAULT_KEY } from '../../emulator';

describe('CLI options', () => {
  it('defaults to port 8787 and the default keys', () => {
    expect(parseCliOptions([], {})).toEqual({ port: 8787, keys: [DEFAULT_KEY], agentKeys: [DEFAULT_AGENT_KEY] });
  });

  it('reads --port, repeated --key and --agent-key, in both spellings', () => {
    expect(parseCliOptions(['--port', '9000', '--key', 'a', '--key=b', '--agent-key=g'], {})).toEqual({ port: 9000, keys: ['a', 'b'], agentKeys: ['g'] });
  });

  it('falls back to EMULATOR_PORT, EMULATOR_KEYS and EMULATOR_AGENT_KEYS', () => {
    expect(parseCliOptions([], { EMULATOR_PORT: '1234', EMULATOR_KEYS: 'x, y', EMULATOR_AGENT_KEYS: 'g1,g2' })).toEqual({
      port: 1234,
      keys: ['x', 'y'],
      agentKeys: ['g1', 'g2'],
    });
    expect(parseCliOptions(['--port', '5'], { EMULATOR_PORT: '1234' }).port).toBe(5);
  });

  it('rejects bad input', () => {
    expect(() => parseCliOptions(['--port', 'abc'], {})).toThrow(/invalid port/);
    expect(() => parseCliOptions(['--verbose'], {})).toThrow(/unknown argument/);
  });
});

describe('CLI process', () => {
  it('prints its URL, serves requests, and exits cleanly on SIGTERM', async () => {
    const root = path.resolve(__dirname, '../../..');
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/emulator/cli.ts', '--port', '0', '--key', 'cli-key'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 10_000;
      while (!/Accepted model access key/.test(output) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const lines = output.trim().split('\n');
      expect(lines[0]).toMatch(/^DigitalOcean inference emulator listening on http:\/\/127\.0\.0\.1:\d+$/);
      expect(lines[1]).toContain('cli-key');
      const url = lines[0].split(' on ')[1];
      expect((await fetch(`${url}/v1/models`, { headers: { authorization: 'Bearer cli-key' } })).status).toBe(200);
      expect((await fetch(`${url}/v1/models`, { headers: { authorization: `Bearer ${DEFAULT_KEY}` } })).status).toBe(401);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 15_000);
});
