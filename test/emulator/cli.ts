/**
 * `npm run emulator [-- --port N --key K ... --agent-key A ...]`
 * Port: --port, else EMULATOR_PORT, else 8787. Keys: every --key, else EMULATOR_KEYS (comma list),
 * else the default key. Agent keys likewise: --agent-key, EMULATOR_AGENT_KEYS, DEFAULT_AGENT_KEY.
 * Runs until SIGINT/SIGTERM.
 */
import { DEFAULT_AGENT_KEY, DEFAULT_KEY, startEmulator } from './index';

const DEFAULT_PORT = 8787;

interface CliOptions {
  port: number;
  keys: string[];
  agentKeys: string[];
}

export function parseCliOptions(argv: string[], env: NodeJS.ProcessEnv): CliOptions {
  let port: number | undefined;
  const keys: string[] = [];
  const agentKeys: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      const next = inline ?? argv[++i];
      if (next === undefined) throw new Error(`${flag} needs a value`);
      return next;
    };
    if (flag === '--port') port = parsePort(value());
    else if (flag === '--key') keys.push(value());
    else if (flag === '--agent-key') agentKeys.push(value());
    else throw new Error(`unknown argument ${arg} (use --port N, --key K, --agent-key A)`);
  }
  if (port === undefined) port = env.EMULATOR_PORT ? parsePort(env.EMULATOR_PORT) : DEFAULT_PORT;
  if (keys.length === 0) keys.push(...commaList(env.EMULATOR_KEYS));
  if (agentKeys.length === 0) agentKeys.push(...commaList(env.EMULATOR_AGENT_KEYS));
  return { port, keys: keys.length > 0 ? keys : [DEFAULT_KEY], agentKeys: agentKeys.length > 0 ? agentKeys : [DEFAULT_AGENT_KEY] };
}

function commaList(text: string | undefined): string[] {
  return (text ?? '').split(',').map((k) => k.trim()).filter(Boolean);
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port ${JSON.stringify(text)}`);
  return port;
}

async function main(): Promise<void> {
  const options = parseCliOptions(process.argv.slice(2), process.env);
  const emulator = await startEmulator({ port: options.port, keys: options.keys, agentKeys: options.agentKeys });
  console.log(`DigitalOcean inference emulator listening on ${emulator.url}`);
  console.log(`Accepted model access key(s): ${options.keys.join(', ')}`);
  console.log(`Accepted agent access key(s) (POST /api/v1/chat/completions?agent=true): ${options.agentKeys.join(', ')}`);
  let closing = false;
  const shutdown = (): void => {
    if (closing) return;
    closing = true;
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

if (require.main === module) {
  main().catch((error: Error) => {
    console.error(`emulator failed to start: ${error.message}`);
    process.exit(1);
  });
}
