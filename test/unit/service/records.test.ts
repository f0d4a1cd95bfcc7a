/** The pure parts of the service backend: shapes, foreach stacks, versions, ids and attempts. */
import fc from 'fast-check';
import { BackendDataError } from '../../../src/metaflow/errors';
import { attemptsOf } from '../../../src/metaflow/service/attempts';
import { foreachStack, toMetadataRow, toRunRecord } from '../../../src/metaflow/service/records';
import { compareIds, pagedQuery, supportsRunPaging } from '../../../src/metaflow/service/runs';

describe('run rows', () => {
  const row = {
    flow_id: 'F',
    run_number: 'argo-abc',
    user_name: 'alice',
    user: null,
    ts_epoch: 1_700_000_000_123,
    tags: null,
    system_tags: null,
    last_heartbeat_ts: null,
  };

  it('accepts string run ids, null tags, an unverified owner and no heartbeat', () => {
    expect(toRunRecord(row, '/flows/F/runs')).toEqual({
      flow: 'F',
      id: 'argo-abc',
      user: 'alice',
      tags: [],
      systemTags: [],
      createdAt: 1_700_000_000_123,
      heartbeatAt: null,
    });
  });

  it.each([
    [{ run_number: 1.5 }, 'a number or string in run_number'],
    [{ ts_epoch: '1700000000123' }, 'a number in ts_epoch'],
    [{ tags: 'a,b' }, 'a list of strings in tags'],
    [{ last_heartbeat_ts: '17' }, 'a number in last_heartbeat_ts'],
  ])('rejects %j naming the endpoint', (change, expected) => {
    expect(() => toRunRecord({ ...row, ...change }, '/flows/F/runs')).toThrow(
      new BackendDataError(`The Metaflow metadata service answered GET /flows/F/runs without ${expected}.`),
    );
  });
});

describe('foreach-stack values', () => {
  it.each([
    ['{items=b}', ['items=b']],
    ['{}', []],
    ['{"x=a b","y=c,d",z=1}', ['x=a b', 'y=c,d', 'z=1']],
    ['{"q=say \\"hi\\""}', ['q=say "hi"']],
    ['["items=b", "x=1"]', ['items=b', 'x=1']],
    ['items=b', 'items=b'],
    ['{"unterminated}', '{"unterminated}'],
  ])('reads %s', (text, expected) => {
    expect(foreachStack(text)).toEqual(expected);
  });

  it('reads back any list written as a PostgreSQL array literal', () => {
    const literal = (items: string[]) => `{${items.map((s) => `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`).join(',')}}`;
    fc.assert(fc.property(fc.array(fc.string()), (items) => expect(foreachStack(literal(items))).toEqual(items)));
  });

  it('is applied to foreach-stack rows only', () => {
    const base = { id: 1, step_name: 's', task_id: 7, type: 't', ts_epoch: 5, tags: ['attempt_id:2'] };
    expect(toMetadataRow({ ...base, field_name: 'foreach-stack', value: '{a=1}' }, 'e').entry).toEqual({ field: 'foreach-stack', value: ['a=1'], type: 't', attempt: 2, ts: 5 });
    expect(toMetadataRow({ ...base, field_name: 'other', value: '{a=1}' }, 'e').entry.value).toBe('{a=1}');
  });
});

describe('attempts', () => {
  const entry = (field: string, value: string, attempt: number | null, ts: number) => ({ field, value, type: field, attempt, ts });

  it('reads a running attempt, a finished one, and an untagged one of a very old client', () => {
    expect(
      attemptsOf([
        entry('attempt', '0', 0, 10),
        entry('attempt_ok', 'True', 0, 20),
        entry('attempt', '1', 1, 30),
        entry('attempt', '2', null, 40),
        entry('attempt-done', '2', null, 50),
        entry('runtime', 'dev', 3, 60),
      ]),
    ).toEqual([
      { attempt: 0, startedAt: 10, doneAt: 20, ok: true },
      { attempt: 1, startedAt: 30, doneAt: null, ok: null },
      { attempt: 2, startedAt: 40, doneAt: 50, ok: null },
    ]);
  });
});

describe('service versions', () => {
  it.each([
    [null, false],
    ['2.4.12', false],
    ['2.5.0', false],
    ['2.5.1', true],
    ['2.5.10', true],
    ['2.6.0', true],
    ['3.0', true],
    ['2.5.1-rc1', true],
  ])('%s pages runs: %s', (version, expected) => {
    expect(supportsRunPaging(version)).toBe(expected);
  });
});

describe('run ids', () => {
  it('orders numeric ids by value and string ids after them, as a total order', () => {
    expect(['argo-b', '10', '9', '1abc', 'argo-a', '100'].sort(compareIds)).toEqual(['9', '10', '100', '1abc', 'argo-a', 'argo-b']);
    const id = fc.oneof(fc.nat().map(String), fc.stringMatching(/^\d{0,2}[a-z-]{0,3}$/));
    fc.assert(
      fc.property(id, id, id, (a, b, c) => {
        expect(Math.sign(compareIds(a, b)) + Math.sign(compareIds(b, a))).toBe(0);
        if (compareIds(a, b) <= 0 && compareIds(b, c) <= 0) expect(compareIds(a, c)).toBeLessThanOrEqual(0);
      }),
    );
  });
});

describe('paged queries', () => {
  it('puts what the service can match exactly in the query', () => {
    expect(pagedQuery({ user: 'alice', tags: ['x', 'a,b', 'y'], status: ['lost'] }, 20, 'abc=')).toBe(
      '_limit=20&_cursor=abc%3D&user_name:eq=alice&_tags:all=x%2Cy&status:eq=failed%2Crunning',
    );
    expect(pagedQuery({ user: 'null', tags: [] }, 5, null)).toBe('_limit=5');
  });
});
