/**
 * The principal of the Slack request being handled, carried through every await of that
 * request (AsyncLocalStorage), so the guarded client applies the policy on every surface
 * without each listener passing it along.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Principal } from './policy';

const current = new AsyncLocalStorage<Principal>();

export function withPrincipal<T>(principal: Principal, fn: () => T): T {
  return current.run(principal, fn);
}

export function currentPrincipal(): Principal | undefined {
  return current.getStore();
}
