import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { Page } from '../../domain/shared/pages';
import type { Deps } from '../../infra/deps';
import { requireAuth, requireFeature, type AuthedVars } from '../middleware/auth';

// What the video family's routers share: their Hono type, the gates, and the list answer.

export const videoRouter = () => new OpenAPIHono<{ Variables: AuthedVars }>();

/** `signedIn`: anyone with a live token (watching is checked per video); `coach`: plans with video. */
export function gates(deps: Deps) {
  const auth = requireAuth(deps);
  return { signedIn: [auth], coach: [auth, requireFeature('video_upload_enabled')] };
}

/**
 * The video family's list answer: a bare JSON array holding one page, and the number of matches in
 * the X-Total-Count header. It predates the `{ items, total }` envelope of newer lists and is part of
 * the public contract, so it stays.
 */
export const countedList = <T extends z.ZodType>(item: T, description: string) => ({
  description,
  headers: {
    'X-Total-Count': { description: 'How many items match in all', schema: { type: 'integer' as const } },
  },
  content: { 'application/json': { schema: z.array(item) } },
});

/** Sets X-Total-Count and returns the page's items for the handler to render. */
export function pageItems<T>(c: Context, page: Page<T>): T[] {
  c.header('X-Total-Count', String(page.total));
  return page.items;
}
