/** The flow's DAG from the `_graph_info` artifact (metaflow-local-format.md §11.4). */
import type { FlowGraph, GraphNode } from './model';

type Json = unknown;

function isRecord(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: Json, fallback = ''): string {
  return typeof v === 'string' ? v : fallback;
}

function names(v: Json): string[] {
  if (!Array.isArray(v)) return [];
  return v.map((p) => (isRecord(p) ? str(p.name) : str(p))).filter((n) => n !== '');
}

/** `graph_structure` nests a split's branches as lists of lists; reading it depth first gives DAG order. */
function flatten(structure: Json, out: string[]): void {
  if (typeof structure === 'string') {
    if (!out.includes(structure)) out.push(structure);
  } else if (Array.isArray(structure)) {
    for (const item of structure) flatten(item, out);
  }
}

/** Steps in the order a walk from the start step meets them, for graphs without `graph_structure`. */
function walk(start: string, nodes: Record<string, GraphNode>): string[] {
  const order: string[] = [];
  const queue = [start];
  while (queue.length > 0) {
    const name = queue.shift() as string;
    if (order.includes(name) || !nodes[name]) continue;
    order.push(name);
    queue.push(...nodes[name].next);
  }
  return order;
}

export function parseGraphInfo(info: Json): FlowGraph | null {
  if (!isRecord(info) || !isRecord(info.steps)) return null;
  // Step names are any Python identifier (`constructor`, `__proto__`): none may reach Object.prototype.
  const nodes: Record<string, GraphNode> = Object.create(null);
  for (const [name, raw] of Object.entries(info.steps)) {
    if (!isRecord(raw)) continue;
    nodes[name] = {
      name,
      type: str(raw.type, 'linear'),
      next: Array.isArray(raw.next) ? raw.next.filter((n): n is string => typeof n === 'string') : [],
      doc: str(raw.doc),
    };
  }
  const startStep = str(info.start_step, 'start');
  const endStep = str(info.end_step, 'end');
  let order: string[] = [];
  flatten(info.graph_structure, order);
  order = order.filter((n) => nodes[n]);
  for (const name of walk(startStep, nodes)) if (!order.includes(name)) order.push(name);
  for (const name of Object.keys(nodes)) if (!order.includes(name)) order.push(name);
  return { startStep, endStep, order, nodes, parameters: names(info.parameters), constants: names(info.constants) };
}
