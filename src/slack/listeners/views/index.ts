import type { App } from '@slack/bolt';
import { CALLBACK } from '../../ids';
import type { ListenerDeps } from '../deps';
import { inspectQuery } from './inspect_query';

export function register(app: App, deps: ListenerDeps): void {
  app.view(CALLBACK.inspect, inspectQuery(deps));
}
