import OpenAI from 'openai';
import type { Config } from './config';

/** An OpenAI-compatible client, or undefined when no AI service is configured. */
export function createOpenAI(cfg: Pick<Config, 'OPENAI_API_KEY' | 'OPENAI_BASE_URL'>): OpenAI | undefined {
  if (!cfg.OPENAI_API_KEY) return undefined;
  return new OpenAI({
    apiKey: cfg.OPENAI_API_KEY,
    baseURL: cfg.OPENAI_BASE_URL,
    maxRetries: 2,
    timeout: 120_000,
  });
}
