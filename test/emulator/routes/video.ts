/**
 * Video jobs (§8, §15 item 13): POST /v1/video/generations, GET /v1/video/generations/{id},
 * GET /v1/video/generations/{id}/content. Jobs belong to the submitting key; the MP4 is also on the
 * CDN origin at /files/<id>.mp4 (and behind presigned links) once completed, until the job is purged.
 */
import { randomUUID } from 'node:crypto';
import type { Router } from '../router';
import type { EmulatorState } from '../state';
import { requireJsonObject } from '../body';
import { notFound } from '../errors';
import { optionalEnum, optionalNumber, requiredString } from '../validation/fields';
import { mp4Chunks } from '../media/mp4';
import { FILES_PREFIX, redirectChainUrl } from '../cdn/server';
import { resolveModel } from './images';
import { videoBody, videoFileName, videoPhase, type VideoJob } from '../jobs/video';

/** S2 names 1280x720; the tiers (S0) suggest the portrait and 480p forms too (UNVERIFIED list). */
const SIZES: Record<string, number> = { '1280x720': 5, '720x1280': 5, '832x480': 9, '480x832': 9 };
const DEFAULT_SIZE = '1280x720'; // UNVERIFIED default
const DEFAULT_FPS = 16; // S2's example

export function registerVideo(router: Router): void {
  router.add('POST', '/v1/video/generations', (ex, { state }) => {
    const body = requireJsonObject(ex.parsed);
    const model = requiredString(body, 'model');
    const prompt = requiredString(body, 'prompt');
    const size = optionalEnum(body, 'size', Object.keys(SIZES)) ?? DEFAULT_SIZE;
    const fps = optionalNumber(body, 'fps', { min: 1, max: 60, integer: true }) ?? DEFAULT_FPS;
    resolveModel(model, 'video', state.config.forbiddenModels, 'wan2.2-t2v-a14b');

    const key = ex.apiKey ?? '';
    const { config } = state;
    const job: VideoJob = {
      id: `video_${randomUUID()}`,
      model,
      prompt,
      size,
      seconds: SIZES[size],
      fps,
      createdMs: Date.now(),
      timings: { ...config.videoTimings },
      expiryMs: config.videoExpiryMs,
      bytes: config.videoBytes,
      fails: config.videoFailPrompt !== '' && prompt.includes(config.videoFailPrompt),
    };
    state.videoJobs.add(job.id, key, job);
    state.submissions.record({ kind: 'video', id: job.id, model, summary: prompt, createdAt: job.createdMs }, key);
    // Served only while completed: `gone()` hides it before completion and after the purge.
    state.files.put(videoFileName(job), {
      contentType: 'video/mp4',
      size: job.bytes,
      chunks: () => mp4Chunks(job.bytes),
      gone: () => videoPhase(job) !== 'completed',
    });
    ex.sendJson(200, videoBody(job, 'queued', state.config.videoOutput, ''));
  });

  router.add('GET', '/v1/video/generations/:id', (ex, { state, params }) => {
    const { job, phase } = liveJob(state, params.id, ex.apiKey ?? '');
    const { videoOutput, videoRedirectHops } = state.config;
    const url = videoOutput === 'redirect' ? redirectUrl(state, job, videoRedirectHops) : fileUrl(state, job);
    ex.sendJson(200, videoBody(job, phase, videoOutput, url));
  });

  router.add('GET', '/v1/video/generations/:id/content', async (ex, { state, params }) => {
    const { job, phase } = liveJob(state, params.id, ex.apiKey ?? '');
    if (phase !== 'completed') throw notFound(`video ${job.id} has no content: its status is ${phase}`);
    if (state.config.videoContent === 'redirect') {
      // The file only behind a redirect to the media host, which must not get the key.
      const location = redirectUrl(state, job, state.config.videoRedirectHops - 1);
      ex.setHeader('location', location);
      ex.sendBody(302, 'text/plain; charset=utf-8', Buffer.from(`Found: ${location}`));
      return;
    }
    await ex.sendStream(200, 'video/mp4', job.bytes, mp4Chunks(job.bytes));
  });
}

function liveJob(state: EmulatorState, id: string, key: string) {
  const job = state.videoJobs.get(id, key);
  if (!job) throw notFound(`video ${id} not found`);
  const phase = videoPhase(job);
  if (phase === 'expired') throw notFound(`video ${id} has expired: results are purged 2 hours after completion`);
  return { job, phase };
}

function fileUrl(state: EmulatorState, job: VideoJob): string {
  return `${state.mediaOrigin()}${FILES_PREFIX}${encodeURIComponent(videoFileName(job))}`;
}

/** A URL that reaches the MP4 after `hops` redirects on the media host (0: the presigned link itself). */
function redirectUrl(state: EmulatorState, job: VideoJob, hops: number): string {
  return redirectChainUrl(state.mediaOrigin(), state.signingKey, videoFileName(job), hops);
}
