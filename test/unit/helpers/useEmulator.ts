/** Starts one emulator for a test file (or describe block) and resets it, and the shared state of the transport, before each test. */
import { clearModelCache } from '../../../nodes/shared/models';
import { resetGates } from '../../../nodes/shared/rateGate';
import { DEFAULT_KEY, startEmulator, type Emulator } from '../../emulator';

/** A second accepted key: another account's quota. */
export const SECOND_KEY = 'emulator-second-model-access-key';

export function useEmulator(): Pick<Emulator, 'url' | 'cdnUrl' | 'control'> {
	let running: Emulator | undefined;
	beforeAll(async () => {
		running = await startEmulator({ keys: [DEFAULT_KEY, SECOND_KEY] });
	});
	afterAll(async () => running?.close());
	beforeEach(() => {
		running!.control.reset();
		resetGates();
		clearModelCache();
	});
	return {
		get url() {
			return running!.url;
		},
		get cdnUrl() {
			return running!.cdnUrl;
		},
		get control() {
			return running!.control;
		},
	};
}
