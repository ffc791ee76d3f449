/**
 * The video job state machine (§8, §15 item 13): queued → processing → completed | failed, by
 * elapsed time, then purged `expiryMs` after the terminal state. Timings are fixed at submission.
 */
import type { EmulatorConfig, VideoTimings } from '../types';

type VideoOutputMode = EmulatorConfig['videoOutput'];
import { unixSeconds } from '../util/ids';

export type VideoPhase = 'queued' | 'processing' | 'completed' | 'failed' | 'expired';

/** S0/S2: results are purged 2 hours after completion; `expires_at` always says so. */
export const VIDEO_RETENTION_SECONDS = 7200;

export interface VideoJob {
  id: string;
  model: string;
  prompt: string;
  size: string;
  /** Clip length by resolution tier (S0/S2: 720p → 5 s, 480p → 9 s); metadata only. */
  seconds: number;
  fps: number;
  createdMs: number;
  timings: VideoTimings;
  expiryMs: number;
  bytes: number;
  fails: boolean;
}

export function terminalMs(job: VideoJob): number {
  return job.createdMs + job.timings.queuedMs + job.timings.processingMs;
}

export function videoPhase(job: VideoJob, now = Date.now()): VideoPhase {
  const elapsed = now - job.createdMs;
  if (elapsed < job.timings.queuedMs) return 'queued';
  if (elapsed < job.timings.queuedMs + job.timings.processingMs) return 'processing';
  if (now >= terminalMs(job) + job.expiryMs) return 'expired';
  return job.fails ? 'failed' : 'completed';
}

export const videoFileName = (job: VideoJob): string => `${job.id}.mp4`;

/**
 * The job object; `phase` must not be 'expired' (that is a 404). `mediaUrl` is where the MP4 is
 * reachable (for 'redirect', a URL that redirects to it).
 */
export function videoBody(
  job: VideoJob,
  phase: Exclude<VideoPhase, 'expired'>,
  output: VideoOutputMode,
  mediaUrl: string,
): Record<string, unknown> {
  const body: Record<string, unknown> = {
    id: job.id,
    object: 'video',
    model: job.model,
    status: phase,
    created_at: unixSeconds(job.createdMs),
    // UNVERIFIED extras (OpenAI's Video object has size/seconds); harmless to a client.
    size: job.size,
    seconds: job.seconds,
    fps: job.fps,
    output: null,
    error: null,
    x_request_id: null, // S2's example
  };
  if (phase === 'completed' || phase === 'failed') {
    const completedAt = unixSeconds(terminalMs(job));
    body.completed_at = completedAt;
    body.expires_at = completedAt + VIDEO_RETENTION_SECONDS;
    if (phase === 'failed') body.error = 'Video generation failed: the request was rejected by the model (emulated failure).';
    else body.output = outputOf(output, mediaUrl, completedAt + VIDEO_RETENTION_SECONDS);
  }
  return body;
}

/** The completed job's `output` in each shape a client must handle (§8 OPEN QUESTION). */
function outputOf(mode: VideoOutputMode, url: string, expiresAt: number): unknown {
  switch (mode) {
    case 'url':
    case 'redirect':
      return url;
    case 'object':
      return { url, expires_at: expiresAt };
    case 'nested':
      return { video: { url, content_type: 'video/mp4' } };
    case 'list':
      return [url];
    case 'null':
      return null;
  }
}
