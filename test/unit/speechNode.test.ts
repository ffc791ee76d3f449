import { NodeApiError, NodeOperationError, type IBinaryData, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import { DigitalOceanSpeech } from '../../nodes/DigitalOceanSpeech/DigitalOceanSpeech.node';
import { audioMagic, DEFAULT_KEY } from '../emulator';
import { encodeAudio } from '../emulator/media/audio';
import { fakeExecuteContext, type FakeContextOptions, type Params } from './helpers/fakeContext';
import { useEmulator } from './helpers/useEmulator';

const SPEECH = '/v1/audio/speech';
const MODEL = 'qwen3-tts-voicedesign';
/** 30 characters: the emulator speaks 15 characters a second, so this is exactly 2 s of audio. */
const TEXT = 'Hello from DigitalOcean speech';
const model = (value: string) => ({ __rl: true, mode: 'id', value });

const emulator = useEmulator();

interface Run {
	output: INodeExecutionData[];
	/** What each prepareBinaryData call was handed: a Buffer, or a stream (streamed through). */
	handedOver: Array<'buffer' | 'stream'>;
}

async function run(params: Params = {}, extra: Partial<FakeContextOptions> = {}): Promise<Run> {
	const ctx = fakeExecuteContext({
		params: { model: model(MODEL), text: TEXT, ...params },
		credentials: { apiKey: DEFAULT_KEY, baseUrl: emulator.url },
		...extra,
		node: new DigitalOceanSpeech(),
	});
	const handedOver: Run['handedOver'] = [];
	const prepare = ctx.helpers.prepareBinaryData;
	ctx.helpers.prepareBinaryData = (async (data: Buffer, fileName?: string, mimeType?: string) => {
		handedOver.push(Buffer.isBuffer(data) ? 'buffer' : 'stream');
		return await prepare(data, fileName, mimeType);
	}) as IExecuteFunctions['helpers']['prepareBinaryData'];
	const [output] = await new DigitalOceanSpeech().execute.call(ctx);
	return { output, handedOver };
}

const speechRequests = () => emulator.control.requests().filter((request) => request.path === SPEECH);
const binaryOf = (item: INodeExecutionData, field = 'data'): IBinaryData => item.binary![field];
const bytesOf = (item: INodeExecutionData, field = 'data') => Buffer.from(binaryOf(item, field).data, 'base64');

const FORMATS = [
	{ format: 'mp3', mime: 'audio/mpeg', file: 'speech.mp3' },
	{ format: 'wav', mime: 'audio/wav', file: 'speech.wav' },
	{ format: 'opus', mime: 'audio/opus', file: 'speech.opus' },
	{ format: 'aac', mime: 'audio/aac', file: 'speech.aac' },
	{ format: 'flac', mime: 'audio/flac', file: 'speech.flac' },
] as const;

describe('DigitalOcean Speech node', () => {
	it('sends only model and input by default and streams the MP3 reply into binary with its metadata', async () => {
		const { output, handedOver } = await run();
		expect(speechRequests().map((request) => request.body)).toEqual([{ model: MODEL, input: TEXT }]);
		expect(speechRequests()[0].headers.authorization).toBe(`Bearer ${DEFAULT_KEY}`);

		expect(output).toHaveLength(1);
		const [item] = output;
		const bytes = bytesOf(item);
		expect(audioMagic(bytes)).toBe('mp3');
		expect(binaryOf(item)).toMatchObject({ mimeType: 'audio/mpeg', fileName: 'speech.mp3', fileExtension: 'mp3' });
		expect(item.json).toEqual({
			fileName: 'speech.mp3',
			mimeType: 'audio/mpeg',
			fileSize: bytes.length,
			format: 'mp3',
			model: MODEL,
			voice: null,
			requestId: expect.any(String),
		});
		expect(item.pairedItem).toEqual({ item: 0 });
		// Raw audio goes to n8n as a stream, never as one Buffer held by the node.
		expect(handedOver).toEqual(['stream']);
		expect(JSON.stringify(output)).not.toContain(DEFAULT_KEY);
	});

	it.each([
		['voice', { voice: 'alloy' }, { voice: 'alloy' }],
		['response_format', { responseFormat: 'wav' }, { response_format: 'wav' }],
		['instructions', { instructions: 'Speak naturally.' }, { instructions: 'Speak naturally.' }],
		['speed', { speed: 1.5 }, { speed: 1.5 }],
	])('sends %s exactly when it is set', async (_name, options, wire) => {
		await run({ options });
		expect(speechRequests().map((request) => request.body)).toEqual([{ model: MODEL, input: TEXT, ...wire }]);
	});

	it('sends every option together, and the voice appears in the output', async () => {
		const options = { voice: 'alloy', responseFormat: 'flac', instructions: 'Calm.', speed: 0.25 };
		const { output } = await run({ options });
		expect(speechRequests()[0].body).toEqual({
			model: MODEL,
			input: TEXT,
			voice: 'alloy',
			response_format: 'flac',
			instructions: 'Calm.',
			speed: 0.25,
		});
		expect(output[0].json.voice).toBe('alloy');
	});

	it('does not send an empty voice or empty instructions', async () => {
		await run({ options: { voice: '  ', instructions: '' } });
		expect(speechRequests()[0].body).toEqual({ model: MODEL, input: TEXT });
	});

	it.each(FORMATS)('$format: the file has $format magic bytes, mime $mime and name $file', async ({ format, mime, file }) => {
		const { output } = await run({ options: { responseFormat: format } });
		const [item] = output;
		expect(audioMagic(bytesOf(item))).toBe(format);
		expect(binaryOf(item)).toMatchObject({ mimeType: mime, fileName: file });
		expect(item.json).toMatchObject({ mimeType: mime, fileName: file, format, fileSize: bytesOf(item).length });
	});

	it('wraps raw PCM into a playable WAV: RIFF header, 24 kHz 16-bit mono, data size = PCM length, PCM unchanged', async () => {
		const { output } = await run({ options: { responseFormat: 'pcm' } });
		const [item] = output;
		const wav = bytesOf(item);
		const pcm = encodeAudio('pcm', 2); // what the emulator sends for 2 s
		expect(audioMagic(wav)).toBe('wav');
		expect(wav.toString('latin1', 12, 16)).toBe('fmt ');
		expect(wav.readUInt16LE(20)).toBe(1); // PCM
		expect(wav.readUInt16LE(22)).toBe(1); // mono
		expect(wav.readUInt32LE(24)).toBe(24_000);
		expect(wav.readUInt16LE(34)).toBe(16);
		expect(wav.toString('latin1', 36, 40)).toBe('data');
		expect(wav.readUInt32LE(40)).toBe(pcm.length);
		expect(wav.readUInt32LE(4)).toBe(36 + pcm.length);
		expect(wav.subarray(44)).toEqual(pcm);
		expect(binaryOf(item)).toMatchObject({ mimeType: 'audio/wav', fileName: 'speech.wav' });
		expect(item.json).toMatchObject({ mimeType: 'audio/wav', fileName: 'speech.wav', format: 'wav', fileSize: 44 + pcm.length });
	});

	it.each([...FORMATS.map((f) => f.format), 'pcm'])(
		'%s: the JSON envelope {data:[{b64_json}]} gives the same bytes, mime and name as raw audio',
		async (format) => {
			const raw = (await run({ options: { responseFormat: format } })).output[0];
			emulator.control.configure({ speechResponse: 'json' });
			const fromJson = (await run({ options: { responseFormat: format } })).output[0];
			expect(speechRequests().map((request) => request.status)).toEqual([200, 200]);
			expect(bytesOf(fromJson)).toEqual(bytesOf(raw));
			expect(binaryOf(fromJson).mimeType).toBe(binaryOf(raw).mimeType);
			expect(fromJson.json).toEqual({ ...raw.json, requestId: expect.any(String) });
		},
	);

	it('JSON envelope without a format: the bytes decide the type (MP3, the emulator default)', async () => {
		emulator.control.configure({ speechResponse: 'json' });
		const [item] = (await run()).output;
		expect(audioMagic(bytesOf(item))).toBe('mp3');
		expect(item.json).toMatchObject({ mimeType: 'audio/mpeg', fileName: 'speech.mp3' });
	});

	it('writes to "Put Output in Field" with "File Name", the extension following the real format', async () => {
		const { output } = await run({ options: { responseFormat: 'wav', fileName: 'greeting.mp3', binaryPropertyName: 'audio' } });
		const [item] = output;
		expect(Object.keys(item.binary!)).toEqual(['audio']);
		expect(binaryOf(item, 'audio')).toMatchObject({ fileName: 'greeting.wav', mimeType: 'audio/wav' });
		expect(audioMagic(bytesOf(item, 'audio'))).toBe('wav');
		expect(item.json.fileName).toBe('greeting.wav');
	});

	it('keeps order and pairedItem exact over several items with different formats, 3 at a time', async () => {
		const formats = ['mp3', 'wav', 'opus', 'aac', 'flac', 'pcm'];
		const { output } = await run(
			{ requestOptions: { concurrency: 3 } },
			{ perItem: formats.map((responseFormat, i) => ({ text: `Item ${i} says hello`, options: { responseFormat } })) },
		);
		expect(output.map((item) => item.pairedItem)).toEqual(formats.map((_, i) => ({ item: i })));
		expect(output.map((item) => audioMagic(bytesOf(item)))).toEqual(['mp3', 'wav', 'opus', 'aac', 'flac', 'wav']);
		expect(output.map((item) => item.json.format)).toEqual(['mp3', 'wav', 'opus', 'aac', 'flac', 'wav']);
		expect(speechRequests().map((request) => (request.body as { input: string }).input).sort()).toEqual(
			formats.map((_, i) => `Item ${i} says hello`).sort(),
		);
	});

	describe('validation before any request', () => {
		it.each([
			['an empty text', { text: '   ' }, /text to speak is empty/],
			['a text over 4096 characters', { text: 'a'.repeat(4097) }, /4097 characters long; at most 4096/],
			['a speed of 5', { options: { speed: 5 } }, /Speed must be between 0.25 and 4 \(got 5\)/],
			['a speed of 0.1', { options: { speed: 0.1 } }, /Speed must be between 0.25 and 4/],
			['no model', { model: model('') }, /No model is selected/],
			['an empty output field', { options: { binaryPropertyName: ' ' } }, /Put Output in Field/],
		])('%s in item 2 fails the run on item 2 before items 0 and 1 are sent', async (_name, bad, message) => {
			const error = await run({}, { perItem: [{}, {}, bad] }).catch((e) => e);
			expect(error).toBeInstanceOf(NodeOperationError);
			expect(error.message).toMatch(message);
			expect(error.context.itemIndex).toBe(2);
			expect(error.description).toBeTruthy();
			expect(speechRequests()).toHaveLength(0);
		});

		it('accepts exactly 4096 characters', async () => {
			const { output } = await run({ text: 'a'.repeat(4096) });
			expect(audioMagic(bytesOf(output[0]))).toBe('mp3');
			expect((speechRequests()[0].body as { input: string }).input).toHaveLength(4096);
		});
	});

	it('with continueOnFail, a bad text and an unknown model become {error} in place; the others get their audio', async () => {
		const { output } = await run(
			{},
			{
				continueOnFail: true,
				perItem: [{ text: 'first' }, { text: '' }, { text: 'third', model: model('no-such-model') }, { text: 'fourth' }],
			},
		);
		expect(output.map((item) => item.pairedItem)).toEqual([0, 1, 2, 3].map((item) => ({ item })));
		expect(audioMagic(bytesOf(output[0]))).toBe('mp3');
		expect(audioMagic(bytesOf(output[3]))).toBe('mp3');
		expect(output[1].json).toEqual({ error: 'The text to speak is empty' });
		expect(Object.keys(output[2].json)).toEqual(['error']);
		expect(String(output[2].json.error)).toMatch(/not found/i);
		expect(output[1].binary).toBeUndefined();
		// The empty text never reached the API.
		expect(speechRequests().map((request) => (request.body as { input: string }).input)).toEqual(['first', 'third', 'fourth']);
	});

	describe('Max File Size', () => {
		/** 460 characters: the emulator's longest clip, 30 s — 1.44 MB as WAV, 1.9 MB as base64 in JSON. */
		const LONG = 'The keeper climbed the stairs again. '.repeat(13).slice(0, 460);

		it.each([
			['raw audio (no Content-Length: counted while it streams)', 'binary'],
			['the JSON envelope (its Content-Length says it up front)', 'json'],
		] as const)('a reply beyond it fails its item with the limit named, sent once: %s', async (_, speechResponse) => {
			emulator.control.configure({ speechResponse });
			const { output } = await run(
				{ text: LONG, options: { responseFormat: 'wav', maxFileSize: 1 } },
				{ perItem: [{}, { text: 'Short one', options: { responseFormat: 'wav', maxFileSize: 1 } }], continueOnFail: true },
			);
			expect(Object.keys(output[0].json)).toEqual(['error']);
			expect(output[0].json.error).toBe('The file is larger than the limit of 1 MB');
			expect(output[0].binary).toBeUndefined();
			expect(audioMagic(bytesOf(output[1]))).toBe('wav');
			expect(speechRequests().filter((request) => (request.body as { input: string }).input === LONG)).toHaveLength(1);
		});

		it('the default (100 MB) takes the longest clip', async () => {
			emulator.control.configure({ speechResponse: 'json' });
			const { output } = await run({ text: LONG, options: { responseFormat: 'wav' } });
			expect(output[0].json.fileSize).toBe(1_440_044);
		});
	});

	it('maps the API\'s 400 for a chat model to a NodeApiError on its item, without the key', async () => {
		const error = await run({}, { perItem: [{}, { model: model('llama3.3-70b-instruct') }] }).catch((e) => e);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.httpCode).toBe('400');
		expect(error.context.itemIndex).toBe(1);
		expect(JSON.stringify(error)).not.toContain(DEFAULT_KEY);
	});
});
