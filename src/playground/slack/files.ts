/** The two-step upload (files.getUploadURLExternal → POST bytes → files.completeUploadExternal)
 *  that `files.uploadV2` performs; `files.upload` itself is retired on Slack. */
import { randomBytes } from 'node:crypto';
import { validateMessage } from '../../../views/validate';
import type { Workspace } from './directory';
import type { Params, Reply } from './http';
import { badArgument, fail, missing, ok, rejectContent, type ApiResult, type Method } from './results';

export interface FakeFile {
  id: string;
  filename: string;
  /** What getUploadURLExternal was told. */
  length: number;
  /** What arrived at the upload URL. */
  bytes?: Buffer;
  title?: string;
  /** Where completeUploadExternal shared it. */
  channel?: string;
  initialComment?: string;
  threadTs?: string;
  completed: boolean;
}

const UPLOAD_PATH = '/upload/v1/';

export class FilesApi {
  private readonly files = new Map<string, FakeFile>();
  private seq = 0;

  constructor(
    private readonly workspace: Workspace,
    private readonly baseUrl: string,
  ) {}

  methods(): Record<string, Method> {
    return {
      'files.getUploadURLExternal': (p) => this.uploadUrl(p),
      'files.completeUploadExternal': (p) => this.complete(p),
    };
  }

  get(id: string): FakeFile | undefined {
    return this.files.get(id);
  }

  owns(path: string): boolean {
    return path.startsWith(UPLOAD_PATH);
  }

  fileIdOf(path: string): string {
    return path.slice(UPLOAD_PATH.length).split('/')[0];
  }

  /** The bytes POSTed to an upload URL; Slack answers with a short text. */
  receive(path: string, bytes: Buffer): Reply {
    const file = this.files.get(this.fileIdOf(path));
    if (!file) return { status: 404, body: 'Not Found' };
    file.bytes = bytes;
    return { status: 200, body: `OK - ${bytes.length}` };
  }

  private uploadUrl(p: Params): ApiResult {
    if (missing(p.filename)) return badArgument('missing required field: filename', '/filename');
    const length = Number(p.length);
    if (!Number.isInteger(length) || length < 1) return badArgument('must be a positive integer', '/length');
    this.seq += 1;
    const id = `F${String(this.seq).padStart(10, '0')}`;
    this.files.set(id, { id, filename: p.filename, length, completed: false });
    return ok({ upload_url: `${this.baseUrl}${UPLOAD_PATH}${id}/${randomBytes(8).toString('hex')}`, file_id: id });
  }

  private complete(p: Params): ApiResult {
    if (!Array.isArray(p.files) || p.files.length === 0) return badArgument('missing required field: files', '/files');
    const files: FakeFile[] = [];
    for (const entry of p.files as Params[]) {
      const file = this.files.get(entry?.id);
      if (!file?.bytes) return fail('file_not_found');
      files.push(file);
    }
    const channel = missing(p.channel_id) ? undefined : this.workspace.channel(p.channel_id);
    if (!missing(p.channel_id) && !channel) return fail('channel_not_found');
    if (p.blocks !== undefined) {
      const violations = validateMessage({ blocks: p.blocks });
      if (violations.length) return rejectContent('message', violations);
    }
    p.files.forEach((entry: Params, i: number) => {
      Object.assign(files[i], {
        title: entry.title ?? files[i].filename,
        channel: channel?.id,
        initialComment: p.initial_comment,
        threadTs: p.thread_ts,
        completed: true,
      });
    });
    return ok({
      files: files.map((f) => ({ id: f.id, name: f.filename, title: f.title, size: f.bytes?.length ?? 0, user: this.workspace.bot.userId })),
    });
  }
}
