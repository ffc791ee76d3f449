import { startEmulator, type Emulator } from '../../emulator';
import { postJson, userSays } from './helpers';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.close());
beforeEach(() => emu.control.reset());

const SECRET = 'dop_v1_super_secret_token_value';
const KB = { type: 'knowledge_base_retrieval', knowledge_base_id: 'kb-123' };
const MCP = { type: 'mcp', server_label: 'docs-server', server_url: 'https://mcp.example.com/mcp', authorization: `Bearer ${SECRET}`, allowed_tools: ['search_docs', 'get_page'] };
const WEB = { type: 'web_search', max_uses: 2, max_results: 5 };

const chatBody = (tools: unknown[], extra: Record<string, unknown> = {}) => ({ model: 'openai-gpt-4o', messages: userSays('What is new?'), tools, ...extra });
const responsesBody = (tools: unknown[], extra: Record<string, unknown> = {}) => ({ model: 'openai-gpt-4o', input: 'What is new?', tools, ...extra });
const messagesBody = (tools: unknown[], extra: Record<string, unknown> = {}) => ({
  model: 'anthropic-claude-4.6-sonnet',
  max_tokens: 1024,
  messages: userSays('What is new?'),
  tools,
  ...extra,
});

async function post(path: string, body: unknown): Promise<{ status: number; text: string }> {
  const res = await postJson(`${emu.url}${path}`, body);
  return { status: res.status, text: await res.text() };
}

describe('built-in tool validation (chat and responses)', () => {
  it.each<[string, Record<string, unknown>, string]>([
    ['knowledge_base_id missing', { type: 'knowledge_base_retrieval' }, "'tools[0].knowledge_base_id'"],
    ['knowledge_base_id not a string', { type: 'knowledge_base_retrieval', knowledge_base_id: 7 }, "'tools[0].knowledge_base_id'"],
    ['server_label missing', { ...MCP, server_label: undefined }, "'tools[0].server_label'"],
    ['server_url missing', { ...MCP, server_url: undefined }, "'tools[0].server_url'"],
    ['server_url not a URL', { ...MCP, server_url: 'not a url' }, "'tools[0].server_url' must be an http or https URL"],
    ['server_url of another scheme', { ...MCP, server_url: 'ftp://mcp.example.com' }, "'tools[0].server_url'"],
    ['authorization not a string', { ...MCP, authorization: { token: SECRET } }, "'tools[0].authorization' must be a string"],
    ['allowed_tools not strings', { ...MCP, allowed_tools: 'search_docs' }, "'tools[0].allowed_tools'"],
    ['max_uses not a positive integer', { ...WEB, max_uses: 0 }, "'tools[0].max_uses' must be a positive integer"],
    ['max_results not an integer', { ...WEB, max_results: 2.5 }, "'tools[0].max_results' must be a positive integer"],
  ])('%s → 400 naming the field', async (_name, tool, message) => {
    for (const [path, body] of [
      ['/v1/chat/completions', chatBody([tool])],
      ['/v1/responses', responsesBody([tool])],
    ] as const) {
      const { status, text } = await post(path, body);
      expect(status).toBe(400);
      expect(JSON.parse(text).message).toContain(message);
      expect(text).not.toContain(SECRET);
    }
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['knowledge_base_id missing', { type: 'knowledge_base_retrieval' }, "'tools[0].knowledge_base_id'"],
    ['server_url not a URL', { ...MCP, server_url: 'not a url' }, "'tools[0].server_url' must be an http or https URL"],
    ['authorization not a string', { ...MCP, authorization: { token: SECRET } }, "'tools[0].authorization' must be a string"],
    ['max_results not an integer', { ...WEB, max_results: 2.5 }, "'tools[0].max_results' must be a positive integer"],
    ['an unknown tool type', { type: 'computer_20250124', name: 'computer' }, "'tools[0].type' must be \"custom\", absent, or one of knowledge_base_retrieval, mcp, web_search"],
  ])('/v1/messages: %s → 400 in the Anthropic envelope naming the field', async (_name, tool, message) => {
    const { status, text } = await post('/v1/messages', messagesBody([tool]));
    expect(status).toBe(400);
    expect(JSON.parse(text)).toEqual({ type: 'error', error: { type: 'invalid_request_error', message: expect.stringContaining(message) } });
    expect(text).not.toContain(SECRET);
  });

  it('accepts http server URLs and the dated web_search alias on responses', async () => {
    expect((await post('/v1/chat/completions', chatBody([{ ...MCP, server_url: 'http://localhost:9000/mcp' }]))).status).toBe(200);
    expect((await post('/v1/responses', responsesBody([{ type: 'web_search_2025_08_26' }]))).status).toBe(200);
    expect((await post('/v1/chat/completions', chatBody([{ type: 'web_search_2025_08_26' }]))).status).toBe(400);
  });
});

describe('built-in tools in chat replies', () => {
  it('adds one bracketed sentence per tool to the content', async () => {
    const { text } = await post('/v1/chat/completions', chatBody([KB, MCP, WEB], { tool_choice: 'required' }));
    const json = JSON.parse(text);
    expect(json.choices[0].message.content).toBe(
      'Echo: What is new? [knowledge base kb-123: 3 passages] [mcp docs-server: called search_docs] [web search: 5 results]',
    );
    expect(json.choices[0].finish_reason).toBe('stop');
  });

  it('uses defaults when optional fields are absent', async () => {
    const { text } = await post('/v1/chat/completions', chatBody([{ type: 'web_search' }, { type: 'mcp', server_label: 'x', server_url: 'https://x.example' }]));
    expect(JSON.parse(text).choices[0].message.content).toBe('Echo: What is new? [web search: 5 results] [mcp x: called search]');
  });

  it('never sends the MCP authorization, in JSON or in a stream', async () => {
    const json = await post('/v1/chat/completions', chatBody([MCP]));
    expect(json.text).toContain('mcp docs-server');
    expect(json.text).not.toContain(SECRET);
    const stream = await post('/v1/chat/completions', chatBody([MCP], { stream: true, stream_options: { include_usage: true } }));
    expect(stream.text).toContain('[DONE]');
    expect(stream.text).not.toContain(SECRET);
  });
});

describe('built-in tools in responses', () => {
  it('adds output items before the message', async () => {
    const { text } = await post('/v1/responses', responsesBody([KB, MCP, WEB]));
    const json = JSON.parse(text);
    expect(json.output.map((item: any) => item.type)).toEqual(['knowledge_base_retrieval_call', 'mcp_call', 'web_search_call', 'message']);
    expect(json.output[0]).toEqual({ type: 'knowledge_base_retrieval_call', id: expect.any(String), knowledge_base_id: 'kb-123', status: 'completed' });
    expect(json.output[1]).toMatchObject({ type: 'mcp_call', id: expect.any(String), server_label: 'docs-server', name: 'search_docs', arguments: '{}', output: expect.any(String) });
    expect(json.output[2]).toMatchObject({ type: 'web_search_call', id: expect.any(String), status: 'completed' });
    expect(json.output[3].content[0].text).toBe('Echo: What is new?');
  });

  it('echoes tools with the MCP authorization replaced by [redacted]', async () => {
    const json = JSON.parse((await post('/v1/responses', responsesBody([MCP, KB]))).text);
    expect(json.tools).toEqual([{ ...MCP, authorization: '[redacted]' }, KB]);
  });

  it.each(['events', 'chunks'] as const)('never streams the MCP authorization (%s format)', async (format) => {
    emu.control.configure({ responsesStreamFormat: format });
    const { status, text } = await post('/v1/responses', responsesBody([MCP], { stream: true, stream_options: { include_usage: true } }));
    expect(status).toBe(200);
    expect(text).not.toContain(SECRET);
    if (format === 'events') {
      expect(text).toContain('event: response.mcp_call.completed');
      expect(text).toContain('[redacted]');
    }
  });

  it('never stores the authorization where a later turn could repeat it', async () => {
    const first = JSON.parse((await post('/v1/responses', responsesBody([MCP], { store: true }))).text);
    const { text } = await post('/v1/responses', responsesBody([MCP], { previous_response_id: first.id }));
    expect(text).not.toContain(SECRET);
  });
});

describe('built-in tools in messages (S2: they work on Messages too; the reply shape is the emulator\'s UNVERIFIED choice)', () => {
  const BLOCK_TYPES = ['server_tool_use', 'knowledge_base_retrieval_tool_result', 'mcp_tool_use', 'mcp_tool_result', 'server_tool_use', 'web_search_tool_result', 'text'];

  it('answers with Anthropic-style server tool blocks before the text, which also names each tool', async () => {
    const { status, text } = await post('/v1/messages', messagesBody([KB, MCP, WEB]));
    expect(status).toBe(200);
    expect(text).not.toContain(SECRET);
    const json = JSON.parse(text);
    expect(json.content.map((block: any) => block.type)).toEqual(BLOCK_TYPES);
    const [kbUse, kbResult, mcpUse, mcpResult, webUse, webResult, answer] = json.content;
    expect(kbUse).toEqual({ type: 'server_tool_use', id: expect.stringMatching(/^srvtoolu_/), name: 'knowledge_base_retrieval', input: { query: 'What is new?', knowledge_base_id: 'kb-123' } });
    expect(kbResult).toMatchObject({ type: 'knowledge_base_retrieval_tool_result', tool_use_id: kbUse.id });
    expect(kbResult.content).toHaveLength(3);
    expect(mcpUse).toEqual({ type: 'mcp_tool_use', id: expect.stringMatching(/^mcptoolu_/), name: 'search_docs', server_name: 'docs-server', input: {} });
    expect(mcpResult).toEqual({
      type: 'mcp_tool_result',
      tool_use_id: mcpUse.id,
      is_error: false,
      content: [{ type: 'text', text: 'search_docs on docs-server answered (authorized request)' }],
    });
    expect(webUse).toEqual({ type: 'server_tool_use', id: expect.stringMatching(/^srvtoolu_/), name: 'web_search', input: { query: 'What is new?' } });
    expect(webResult.tool_use_id).toBe(webUse.id);
    expect(webResult.content).toHaveLength(5);
    expect(webResult.content[0]).toMatchObject({ type: 'web_search_result', url: expect.stringMatching(/^https:/), title: expect.any(String) });
    expect(answer.text).toBe('Echo: What is new? [knowledge base kb-123: 3 passages] [mcp docs-server: called search_docs] [web search: 5 results]');
    expect(json.stop_reason).toBe('end_turn');
  });

  it('streams each built-in block whole in its content_block_start, without the authorization', async () => {
    const { status, text } = await post('/v1/messages', messagesBody([KB, MCP, WEB], { stream: true }));
    expect(status).toBe(200);
    expect(text).not.toContain(SECRET);
    const events = text
      .split('\n\n')
      .filter((frame) => frame.includes('data: '))
      .map((frame) => JSON.parse(frame.slice(frame.indexOf('data: ') + 6)));
    const starts = events.filter((event) => event.type === 'content_block_start').map((event) => event.content_block);
    expect(starts.map((block) => block.type)).toEqual(BLOCK_TYPES);
    expect(starts[3].content[0].text).toBe('search_docs on docs-server answered (authorized request)');
    expect(events.at(-1).type).toBe('message_stop');
  });

  it('tool_choice any with built-in tools only is accepted (nothing is owed by the client)', async () => {
    const { status, text } = await post('/v1/messages', messagesBody([WEB], { tool_choice: { type: 'any' } }));
    expect(status).toBe(200);
    expect(JSON.parse(text).stop_reason).toBe('end_turn');
  });
});
