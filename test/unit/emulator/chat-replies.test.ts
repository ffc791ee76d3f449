import { startEmulator, type Emulator } from '../../emulator';
import { PNG_1X1_BASE64, chat, imagePart, jpegBase64, userSays, webpBase64 } from './helpers';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.close());
beforeEach(() => emu.control.reset());

const weatherTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Weather for a city',
    parameters: {
      type: 'object',
      properties: {
        city: { type: 'string' },
        days: { type: 'integer', minimum: 1 },
        unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
        verbose: { type: 'boolean' },
      },
      required: ['city', 'days', 'unit'],
    },
  },
};

describe('non-streaming reply', () => {
  it('has the full §3.6 shape with the three cache usage fields', async () => {
    const { res, json } = await chat(emu.url, { model: 'llama3.3-70b-instruct', messages: userSays('What is the capital of France?') });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(json.id).toMatch(/^chatcmpl-[0-9a-f]{24}$/);
    expect(json.object).toBe('chat.completion');
    expect(Math.abs(json.created - Date.now() / 1000)).toBeLessThan(5);
    expect(json.model).toBe('llama3.3-70b-instruct');
    expect(json.choices).toEqual([
      {
        index: 0,
        finish_reason: 'stop',
        logprobs: null,
        message: { role: 'assistant', content: 'Echo: What is the capital of France?', refusal: null, reasoning_content: null },
      },
    ]);
    // "What is the capital of France?" = 30 chars → 8 tokens; "Echo: …" = 36 chars → 9 tokens.
    expect(json.usage).toEqual({
      prompt_tokens: 8,
      completion_tokens: 9,
      total_tokens: 17,
      cache_created_input_tokens: 0,
      cache_read_input_tokens: 0,
      cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
    });
  });

  it('answers n choices', async () => {
    const { json } = await chat(emu.url, { model: 'alibaba-qwen3-32b', messages: userSays('hi'), n: 3 });
    expect(json.choices.map((c: { index: number }) => c.index)).toEqual([0, 1, 2]);
    expect(json.choices[0].message.content).toBe('Echo: hi');
    expect(json.choices[2].message.content).toBe('Echo: hi (variant 3)');
  });

  it('truncates to max_tokens with finish_reason "length"', async () => {
    const { json } = await chat(emu.url, { model: 'llama3.3-70b-instruct', messages: userSays('a long question about many things'), max_tokens: 2 });
    expect(json.choices[0].finish_reason).toBe('length');
    expect(json.choices[0].message.content).toBe('Echo: a ');
    expect(json.usage.completion_tokens).toBe(2);
  });

  it('cuts the reply at a stop sequence', async () => {
    const { json } = await chat(emu.url, { model: 'llama3.3-70b-instruct', messages: userSays('one two three'), stop: ['two'] });
    expect(json.choices[0].message.content).toBe('Echo: one ');
    expect(json.choices[0].finish_reason).toBe('stop');
  });

  it('returns logprobs when asked', async () => {
    const { json } = await chat(emu.url, { model: 'llama3.3-70b-instruct', messages: userSays('hi'), logprobs: true, top_logprobs: 2 });
    const tokens = json.choices[0].logprobs.content;
    expect(tokens.map((t: { token: string }) => t.token).join('')).toBe('Echo: hi');
    expect(tokens[0].top_logprobs).toHaveLength(2);
  });
});

describe('reasoning', () => {
  it('is null for a plain model without reasoning parameters', async () => {
    const { json } = await chat(emu.url, { model: 'llama3.3-70b-instruct', messages: userSays('2+2?') });
    expect(json.choices[0].message.reasoning_content).toBeNull();
  });

  it('is present for a reasoning model', async () => {
    const { json } = await chat(emu.url, { model: 'deepseek-r1-distill-llama-70b', messages: userSays('2+2?') });
    expect(json.choices[0].message.reasoning_content).toContain('The user wrote: "2+2?"');
    expect(json.choices[0].message.content).toBe('Echo: 2+2?');
  });

  it('is present when reasoning_effort is sent to a plain model, and grows with effort', async () => {
    const low = await chat(emu.url, { model: 'anthropic-claude-4.6-sonnet', messages: userSays('x'), reasoning_effort: 'low' });
    const high = await chat(emu.url, { model: 'anthropic-claude-4.6-sonnet', messages: userSays('x'), reasoning_effort: 'high' });
    expect(low.json.choices[0].message.reasoning_content).toContain('effort low');
    expect(high.json.choices[0].message.reasoning_content.length).toBeGreaterThan(low.json.choices[0].message.reasoning_content.length);
  });

  it('is present with the Anthropic-style reasoning object and honours its max_tokens', async () => {
    const { json } = await chat(emu.url, { model: 'anthropic-claude-4.6-sonnet', messages: userSays('x'), reasoning: { effort: 'max', max_tokens: 3 } });
    expect(json.choices[0].message.reasoning_content).toHaveLength(12);
  });

  it('is off with reasoning_effort "none"', async () => {
    const { json } = await chat(emu.url, { model: 'openai-gpt-oss-120b', messages: userSays('x'), reasoning_effort: 'none' });
    expect(json.choices[0].message.reasoning_content).toBeNull();
  });

  it('uses up a tiny budget before any content is written', async () => {
    const { json } = await chat(emu.url, { model: 'openai-gpt-oss-20b', messages: userSays('hello'), max_tokens: 4 });
    expect(json.choices[0].message.content).toBe('');
    expect(json.choices[0].finish_reason).toBe('length');
  });
});

describe('tool calls', () => {
  it('calls a tool the user asks for, with arguments built from its schema', async () => {
    const { json } = await chat(emu.url, {
      model: 'openai-gpt-4o',
      messages: userSays('Please call get_weather for Paris'),
      tools: [weatherTool, { type: 'function', function: { name: 'other' } }],
    });
    const choice = json.choices[0];
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBeNull();
    expect(choice.message.tool_calls).toHaveLength(1);
    const call = choice.message.tool_calls[0];
    expect(call.id).toMatch(/^call_/);
    expect(call.type).toBe('function');
    expect(call.function.name).toBe('get_weather');
    expect(typeof call.function.arguments).toBe('string');
    expect(JSON.parse(call.function.arguments)).toEqual({ city: 'example', days: 1, unit: 'celsius' });
  });

  it('calls the function named by tool_choice, and the first tool when tool_choice is "required"', async () => {
    const named = await chat(emu.url, {
      model: 'openai-gpt-4o',
      messages: userSays('hello'),
      tools: [{ type: 'function', function: { name: 'a' } }, weatherTool],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
    });
    expect(named.json.choices[0].message.tool_calls[0].function.name).toBe('get_weather');
    const required = await chat(emu.url, {
      model: 'openai-gpt-4o',
      messages: userSays('hello'),
      tools: [{ type: 'function', function: { name: 'a' } }, weatherTool],
      tool_choice: 'required',
    });
    expect(required.json.choices[0].message.tool_calls[0].function).toEqual({ name: 'a', arguments: '{}' });
  });

  it('answers with text when no tool is asked for, or tool_choice is none', async () => {
    const plain = await chat(emu.url, { model: 'openai-gpt-4o', messages: userSays('hello'), tools: [weatherTool] });
    expect(plain.json.choices[0].finish_reason).toBe('stop');
    const none = await chat(emu.url, { model: 'openai-gpt-4o', messages: userSays('use get_weather'), tools: [weatherTool], tool_choice: 'none' });
    expect(none.json.choices[0].message.tool_calls).toBeUndefined();
  });

  it('answers the tool result instead of calling again', async () => {
    const { json } = await chat(emu.url, {
      model: 'openai-gpt-4o',
      tools: [weatherTool],
      messages: [
        ...userSays('call get_weather for Paris'),
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_9', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
        { role: 'tool', tool_call_id: 'call_9', content: '{"temp":21}' },
      ],
    });
    expect(json.choices[0].finish_reason).toBe('stop');
    expect(json.choices[0].message.content).toBe('Echo: call get_weather for Paris Tool get_weather returned: {"temp":21}');
  });
});

describe('response_format', () => {
  it('json_object content parses', async () => {
    const { json } = await chat(emu.url, { model: 'openai-gpt-4o', messages: userSays('give json'), response_format: { type: 'json_object' } });
    expect(JSON.parse(json.choices[0].message.content)).toEqual({ answer: 'Echo: give json' });
  });

  it('json_object follows the JSON Schema the prompt gives in a ```json fence (the last one that is a schema)', async () => {
    const schema = { type: 'object', properties: { output: { type: 'object', properties: { city: { type: 'string' }, population: { type: 'integer' } }, required: ['city', 'population'] } }, required: ['output'] };
    const prompt = [
      'Name a city. An instance looks like ```json\n{"city": "Oslo"}\n```, not like ```json\nnot json\n```.',
      `Here is the JSON Schema instance your output must adhere to:\n\`\`\`json\n${JSON.stringify(schema)}\n\`\`\`\n`,
    ].join('\n');
    const { json } = await chat(emu.url, {
      model: 'llama3.3-70b-instruct',
      messages: [{ role: 'system', content: 'Answer in JSON.' }, { role: 'user', content: prompt }],
      response_format: { type: 'json_object' },
    });
    expect(JSON.parse(json.choices[0].message.content)).toEqual({ output: { city: 'example', population: 1 } });
  });

  it('json_object without a schema in the prompt, and text mode with one, answer as before', async () => {
    const fenced = 'Use ```json\n{"type": "object", "properties": {"a": {"type": "string"}}}\n```';
    const jsonMode = await chat(emu.url, { model: 'llama3.3-70b-instruct', messages: userSays('no schema here'), response_format: { type: 'json_object' } });
    expect(JSON.parse(jsonMode.json.choices[0].message.content)).toEqual({ answer: 'Echo: no schema here' });
    const textMode = await chat(emu.url, { model: 'llama3.3-70b-instruct', messages: userSays(fenced) });
    expect(textMode.json.choices[0].message.content).toBe(`Echo: ${fenced}`);
  });

  it('json_schema content has the required properties with the right types', async () => {
    const schema = {
      type: 'object',
      properties: {
        name: { type: 'string' },
        age: { type: 'integer' },
        tags: { type: 'array', items: { type: 'string' } },
        address: { $ref: '#/$defs/address' },
        nickname: { type: 'string' },
      },
      required: ['name', 'age', 'tags', 'address'],
      $defs: { address: { type: 'object', properties: { zip: { type: 'string', format: 'date' } }, required: ['zip'] } },
    };
    const { json } = await chat(emu.url, {
      model: 'openai-gpt-4o',
      messages: userSays('person please'),
      response_format: { type: 'json_schema', json_schema: { name: 'person', schema, strict: true } },
    });
    expect(JSON.parse(json.choices[0].message.content)).toEqual({ name: 'example', age: 1, tags: ['example'], address: { zip: '2026-01-01' } });
  });
});

describe('vision', () => {
  it('accepts a valid PNG data URL and says what arrived', async () => {
    const { res, json } = await chat(emu.url, {
      model: 'nemotron-nano-12b-v2-vl',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Describe' }, imagePart(`data:image/png;base64,${PNG_1X1_BASE64}`)] }],
    });
    expect(res.status).toBe(200);
    expect(json.choices[0].message.content).toBe('Echo: Describe I see 1 image(s) (png 1x1).');
  });

  it('reports count, format and size of several images, https URLs included', async () => {
    const { json } = await chat(emu.url, {
      model: 'nemotron-nano-12b-v2-vl',
      messages: [
        {
          role: 'user',
          content: [
            imagePart(`data:image/jpg;base64,${jpegBase64(3, 2)}`),
            imagePart(`data:image/webp;base64,${webpBase64(4, 5)}`),
            imagePart('https://example.com/sample.jpg'),
            'compare them',
          ],
        },
      ],
    });
    expect(json.choices[0].message.content).toBe('Echo: compare them I see 3 image(s) (jpeg 3x2, webp 4x5, https URL).');
  });
});

describe('prompt caching', () => {
  const cachedMessages = (ttl?: string) => [
    { role: 'system', content: [{ type: 'text', text: 'A long shared document. '.repeat(20), cache_control: { type: 'ephemeral', ...(ttl ? { ttl } : {}) } }] },
    { role: 'user', content: 'question' },
  ];

  it('creates the cache on the first request and reads it on the repeat', async () => {
    const first = await chat(emu.url, { model: 'anthropic-claude-4.6-sonnet', messages: cachedMessages() });
    // 480 cached chars → 120 tokens; "question" → 2 uncached tokens.
    expect(first.json.usage).toMatchObject({
      prompt_tokens: 2,
      cache_created_input_tokens: 120,
      cache_read_input_tokens: 0,
      cache_creation: { ephemeral_5m_input_tokens: 120, ephemeral_1h_input_tokens: 0 },
    });
    const second = await chat(emu.url, { model: 'anthropic-claude-4.6-sonnet', messages: cachedMessages() });
    expect(second.json.usage).toMatchObject({
      prompt_tokens: 2,
      cache_created_input_tokens: 0,
      cache_read_input_tokens: 120,
      cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
    });
  });

  it('reports 1h creations separately and keeps caches per model', async () => {
    const first = await chat(emu.url, { model: 'openai-gpt-4o', messages: cachedMessages('1h') });
    expect(first.json.usage.cache_creation).toEqual({ ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 120 });
    const otherModel = await chat(emu.url, { model: 'anthropic-claude-3.5-haiku', messages: cachedMessages('1h') });
    expect(otherModel.json.usage.cache_created_input_tokens).toBe(120);
  });

  it('is ignored by DO-hosted open-source models', async () => {
    await chat(emu.url, { model: 'llama3.3-70b-instruct', messages: cachedMessages() });
    const { json } = await chat(emu.url, { model: 'llama3.3-70b-instruct', messages: cachedMessages() });
    expect(json.usage).toMatchObject({ prompt_tokens: 122, cache_created_input_tokens: 0, cache_read_input_tokens: 0 });
  });

  it('is forgotten by reset()', async () => {
    await chat(emu.url, { model: 'anthropic-claude-4.6-sonnet', messages: cachedMessages() });
    emu.control.reset();
    const { json } = await chat(emu.url, { model: 'anthropic-claude-4.6-sonnet', messages: cachedMessages() });
    expect(json.usage.cache_created_input_tokens).toBe(120);
  });
});

describe('inference router', () => {
  it('routes a coding prompt to the code-generation task', async () => {
    const { res, json } = await chat(emu.url, { model: 'router:software-engineering', messages: userSays('Write a TypeScript function') });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-model-router-selected-route')).toBe('code-generation');
    expect(json.model).toBe('anthropic-claude-4.6-sonnet');
  });

  it('falls back when no task matches', async () => {
    const { res, json } = await chat(emu.url, { model: 'router:my-support-router', messages: userSays('What are your support hours?') });
    expect(res.headers.get('x-model-router-selected-route')).toBe('fallback');
    expect(json.model).toBe('llama3.3-70b-instruct');
  });

  it('does not set the route header for a plain model', async () => {
    const { res } = await chat(emu.url, { model: 'llama3.3-70b-instruct', messages: userSays('code') });
    expect(res.headers.get('x-model-router-selected-route')).toBeNull();
  });
});
