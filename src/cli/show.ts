/** `metaflowbot show <query>`: what the Metaflow client sees, as text or stable JSON. */
import type { MetaflowClient } from '../metaflow/client';
import type { LogLine } from '../metaflow/mflog';
import { parseRunQuery } from '../metaflow/runspec';
import { runDetailJson, runJson, taskJson, taskPageJson } from './show-json';
import { runsText, runText, taskText, tasksText } from './show-text';

export interface ShowOptions {
  json: boolean;
  logs: boolean;
  limit: number;
  logLines: number;
}

export async function show(client: MetaflowClient, queryText: string, opts: ShowOptions): Promise<string> {
  const query = parseRunQuery(queryText);
  const found = await client.resolve(query, { limit: opts.limit });
  switch (found.kind) {
    case 'runs': {
      const page = found.page;
      return opts.json
        ? JSON.stringify({ flow: found.flow, runs: page.items.map(runJson), total: page.total, next: page.next }, null, 2)
        : runsText(found.flow, page);
    }
    case 'run': {
      const detail = await client.getRunDetail(found.run.flow, found.run.id);
      return opts.json ? JSON.stringify(runDetailJson(detail), null, 2) : runText(detail);
    }
    case 'step': {
      const { run, step } = found;
      const page = await client.listTasks(run.flow, run.id, step.name, { limit: opts.limit });
      const pathspec = `${run.pathspec}/${step.name}`;
      return opts.json ? JSON.stringify(taskPageJson(step, pathspec, page), null, 2) : tasksText(pathspec, step, page);
    }
    case 'task': {
      const { task } = found;
      const ref = { flow: task.flow, run: task.runId, step: task.step, task: task.id };
      const [artifacts, exception] = await Promise.all([client.listArtifacts(ref), client.taskException(ref)]);
      let logs: Record<string, LogLine[]> | null = null;
      if (opts.logs) {
        const [stdout, stderr] = await Promise.all([
          client.readLog(ref, { stream: 'stdout', limit: opts.logLines }),
          client.readLog(ref, { stream: 'stderr', limit: opts.logLines }),
        ]);
        logs = { stdout: stdout.lines, stderr: stderr.lines };
      }
      return opts.json ? JSON.stringify(taskJson(task, { artifacts, exception, ...(logs ? { logs } : {}) }), null, 2) : taskText(task, artifacts, exception, logs);
    }
  }
}
