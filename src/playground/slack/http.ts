/** Reading requests the way Slack's Web API does and writing its kind of answers. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';

/**
 * Arguments of a Web API call. Values stay loosely typed on purpose: tests read them as
 * `call.params.view.blocks[0]`, and the handlers check every value they use.
 */
export type Params = Record<string, any>;

/** Form arguments that clients send as JSON strings (`@slack/web-api` serialises every object). */
const JSON_ARGS = ['view', 'blocks', 'attachments', 'files', 'unfurls', 'metadata'];

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

export type ParsedArgs = { ok: true; params: Params } | { ok: false; error: string };

/** Web API arguments from a form or JSON body. A JSON argument that does not parse is left as
 *  the string it was, so the method can answer the way Slack does (`invalid_blocks_format` …). */
export function parseArgs(req: IncomingMessage, body: Buffer): ParsedArgs {
  const type = mediaType(req);
  if (type === 'application/json') {
    try {
      const parsed: unknown = body.length ? JSON.parse(body.toString('utf8')) : {};
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { ok: false, error: 'invalid_json' };
      return { ok: true, params: parsed as Params };
    } catch {
      return { ok: false, error: 'invalid_json' };
    }
  }
  if (type === 'application/x-www-form-urlencoded' || type === '') {
    const params: Params = { ...parseQuery(body.toString('utf8')) };
    for (const key of JSON_ARGS) {
      if (typeof params[key] !== 'string') continue;
      try {
        params[key] = JSON.parse(params[key]);
      } catch {
        // kept as the raw string on purpose, see above
      }
    }
    return { ok: true, params };
  }
  return { ok: false, error: 'invalid_form_data' };
}

/** The token a call carries: the Authorization header, else a `token` argument (both work on Slack). */
export function bearerToken(req: IncomingMessage, params: Params): string | undefined {
  const header = req.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice('Bearer '.length);
  return typeof params.token === 'string' ? params.token : undefined;
}

export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export function send(res: ServerResponse, reply: Reply): void {
  const isText = typeof reply.body === 'string';
  res.writeHead(reply.status, {
    'content-type': isText ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8',
    ...reply.headers,
  });
  res.end(isText ? (reply.body as string) : JSON.stringify(reply.body));
}

/** The first file of a multipart body, or the body itself for any other content type (Slack's
 *  upload URLs take both). */
export async function uploadedBytes(req: IncomingMessage, body: Buffer): Promise<{ bytes: Buffer; filename?: string }> {
  if (mediaType(req) !== 'multipart/form-data') return { bytes: body };
  const form = await new Request('http://fake.invalid/', {
    method: 'POST',
    headers: { 'content-type': String(req.headers['content-type']) },
    body,
  }).formData();
  for (const value of form.values()) {
    if (typeof value !== 'string') return { bytes: Buffer.from(await value.arrayBuffer()), filename: value.name };
  }
  return { bytes: Buffer.alloc(0) };
}
