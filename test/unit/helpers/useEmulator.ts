/** Starts one emulator for a test file (or describe block) and resets it, and the shared state of the transport, before each test. */
import { clearModelCache } from '../../../nodes/shared/models';
import { resetOriginPauses } from '../../../nodes/shared/rateGate';
import { startEmulator, type Emulator } from '../../emulator';

export function useEmulator(): Pick<Emulator, 'url' | 'control'> {
	let running: Emulator | undefined;
	beforeAll(async () => {
		running = await startEmulator();
	});
	afterAll(async () => running?.close());
	beforeEach(() => {
		running!.control.reset();
		resetOriginPauses();
		clearModelCache();
	});
	return {
		get url() {
			return running!.url;
		},
		get control() {
			return running!.control;
		},
	};
}
