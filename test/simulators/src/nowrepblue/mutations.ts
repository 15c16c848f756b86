import { between, pick } from './prng';
import type { CatalogGenerator, Dataset } from './dataset';
import { CITIES } from './vocabulary';

export interface Mutation {
  added?: number;
  changed?: number;
  removed?: number;
}

export interface MutationResult {
  addedTalents: string[];
  changedTalents: string[];
  removedTalents: string[];
  renamedBoards: string[];
}

/**
 * Changes the upstream between two imports, deterministically (the generator's
 * PRNG): removes talents with everything that hangs off them (as NowRepBlue
 * would), edits others, adds new ones onto an existing board, renames a board.
 */
export function mutateDataset(d: Dataset, gen: CatalogGenerator, m: Mutation): MutationResult {
  const r = gen.rand;
  const removedTalents = removeTalents(d, pickDistinct(r, d.talents.map((t) => t.id!), m.removed ?? 0));
  const changedTalents = pickDistinct(r, d.talents.map((t) => t.id!), m.changed ?? 0);
  for (const id of changedTalents) {
    const t = d.talents.find((x) => x.id === id)!;
    const [city, country] = pick(r, CITIES.filter(([c]) => c !== t.city));
    Object.assign(t, { city, country, updatedAt: new Date(Date.parse(String(t.updatedAt)) + 86_400_000).toISOString() });
  }
  const renamedBoards: string[] = [];
  if (changedTalents.length && d.boards.length) {
    const board = d.boards[between(r, 0, d.boards.length - 1)];
    board.name = `${String(board.name).replace(/ \(rev \d+\)$/, '')} (rev ${Math.floor(r() * 1000)})`;
    renamedBoards.push(board.id!);
  }
  const addedTalents = Array.from({ length: m.added ?? 0 }, () => gen.talent(d));
  for (const id of addedTalents) {
    const board = d.boards[between(r, 0, d.boards.length - 1)];
    const position = d['boards-talents'].filter((x) => x.boardId === board.id).length + 1;
    d['boards-talents'].push({ boardId: board.id, talentId: id, position });
  }
  return { addedTalents, changedTalents, removedTalents, renamedBoards };
}

function pickDistinct(rand: () => number, ids: string[], n: number): string[] {
  const out = new Set<string>();
  while (out.size < Math.min(n, ids.length)) out.add(ids[Math.floor(rand() * ids.length)]);
  return [...out];
}

function removeTalents(d: Dataset, ids: string[]): string[] {
  const gone = new Set(ids);
  const portfolios = new Set(d.portfolios.filter((p) => gone.has(p.talentId as string)).map((p) => p.id));
  const media = new Set(d.media.filter((x) => portfolios.has(x.portfolioId as string)).map((x) => x.id));
  const keep = <K extends keyof Dataset>(k: K, test: (x: Dataset[K][number]) => boolean) => (d[k] = d[k].filter(test) as Dataset[K]);
  keep('talents', (t) => !gone.has(t.id!));
  keep('measurements', (x) => !gone.has(x.talentId as string));
  keep('socials', (x) => !gone.has(x.talentId as string));
  keep('portfolios', (x) => !portfolios.has(x.id));
  keep('media', (x) => !media.has(x.id));
  keep('media-tags', (x) => !media.has(x.mediaId as string));
  keep('boards-talents', (x) => !gone.has(x.talentId as string));
  keep('boards-portfolios', (x) => !portfolios.has(x.portfolioId as string));
  return ids;
}
