import { decide, type Action, type Actor, type ResourceFacts } from '../../domain/identity/access';
import { forbidden, notFound } from '../errors';

/**
 * Throws unless the actor may do `action`: 404 when they may not even see the resource (or it does
 * not exist), 403 when they can see it but not change it.
 */
export function enforce(actor: Actor, action: Action, facts: ResourceFacts | undefined, what: string): void {
  if (!facts) throw notFound(what);
  const decision = decide(actor, action, facts);
  if (decision === 'hide') throw notFound(what);
  if (decision === 'forbid') throw forbidden(`You may view this ${what.toLowerCase()} but not change it`);
}
