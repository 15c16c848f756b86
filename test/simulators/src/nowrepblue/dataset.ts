import { between, pick, prng } from './prng';
import { FIRST_NAMES, LAST_NAMES, CITIES, AGENCIES, TAGS, BOARD_WORDS, COLORS, PLATFORMS } from './vocabulary';

type Rec = Record<string, unknown> & { id?: string };

/** NowRepBlue's data, entity by entity, as its API serves it (camelCase JSON). */
export interface Dataset {
  talents: Rec[];
  boards: Rec[];
  tags: Rec[];
  portfolios: Rec[];
  measurements: Rec[];
  socials: Rec[];
  media: Rec[];
  'boards-talents': Rec[];
  'boards-portfolios': Rec[];
  'media-tags': Rec[];
}
export type EntityPath = keyof Dataset;
export const ENTITY_PATHS = ['talents', 'boards', 'tags', 'portfolios', 'measurements', 'socials', 'media', 'boards-talents', 'boards-portfolios', 'media-tags'] as const;

const pad = (n: number) => String(n).padStart(6, '0');
const day = (rand: () => number) => new Date(Date.UTC(2024, 0, 1) + between(rand, 0, 700) * 86_400_000).toISOString();

/**
 * A generator with its own counters, so talents added by a mutation get fresh
 * ids. Per talent: 1 measurement, 2 socials, 2 portfolios of 3 media each,
 * 1 tag per media; a board per 20 talents holding 10 talents and 5 portfolios:
 * about 19 records per talent.
 */
export class CatalogGenerator {
  private seq = { tal: 0, por: 0, med: 0, soc: 0, brd: 0 };
  private readonly portfoliosOf = new Map<string, Rec[]>();
  constructor(readonly rand: () => number) {}

  talent(d: Dataset): string {
    const r = this.rand;
    const id = `tal_${pad(++this.seq.tal)}`;
    d.talents.push({ id, firstName: pick(r, FIRST_NAMES), lastName: pick(r, LAST_NAMES), gender: pick(r, ['female', 'male', 'non-binary']), city: pick(r, CITIES)[0], country: pick(r, CITIES)[1], birthYear: between(r, 1975, 2006), agency: pick(r, AGENCIES), updatedAt: day(r) });
    d.measurements.push({ id: `mea_${id.slice(4)}`, talentId: id, heightCm: between(r, 155, 198), bustCm: between(r, 75, 110), waistCm: between(r, 55, 95), hipsCm: between(r, 80, 110), shoeEu: between(r, 35, 47), eyeColor: pick(r, COLORS.eyes), hairColor: pick(r, COLORS.hair) });
    for (const platform of [pick(r, PLATFORMS), 'website']) {
      const handle = `${String(d.talents.at(-1)!.firstName).toLowerCase()}.${id.slice(4)}`;
      d.socials.push({ id: `soc_${pad(++this.seq.soc)}`, talentId: id, platform, handle, followers: between(r, 100, 2_000_000), url: `https://${platform}.example/${handle}` });
    }
    for (let p = 0; p < 2; p++) {
      const pid = `por_${pad(++this.seq.por)}`;
      const portfolio = { id: pid, talentId: id, title: `${pick(r, BOARD_WORDS)} ${p === 0 ? 'Editorial' : 'Commercial'}`, description: null, createdAt: day(r) };
      d.portfolios.push(portfolio);
      this.portfoliosOf.set(id, [...(this.portfoliosOf.get(id) ?? []), portfolio]);
      for (let m = 0; m < 3; m++) {
        const mid = `med_${pad(++this.seq.med)}`;
        const video = r() < 0.1;
        d.media.push({ id: mid, portfolioId: pid, url: `https://cdn.nowrepblue.example/${mid}.${video ? 'mp4' : 'jpg'}`, kind: video ? 'video' : 'image', width: 1600, height: between(r, 1067, 2400), position: m + 1 });
        d['media-tags'].push({ mediaId: mid, tagId: pick(r, d.tags).id });
      }
    }
    return id;
  }

  board(d: Dataset): void {
    const r = this.rand;
    const id = `brd_${pad(++this.seq.brd)}`;
    d.boards.push({ id, name: `${pick(r, BOARD_WORDS)} ${pick(r, CITIES)[0]} ${this.seq.brd}`, description: 'Casting shortlist', ownerEmail: `booker${this.seq.brd % 17}@nowrepblue.example`, createdAt: day(r) });
    const talents = sample(r, d.talents, 10);
    talents.forEach((t, i) => d['boards-talents'].push({ boardId: id, talentId: t.id, position: i + 1 }));
    sample(r, talents.flatMap((t) => this.portfoliosOf.get(t.id!) ?? []), 5).forEach((p, i) => d['boards-portfolios'].push({ boardId: id, portfolioId: p.id, position: i + 1 }));
  }
}

function sample<T>(rand: () => number, items: T[], n: number): T[] {
  const out = new Set<T>();
  while (out.size < Math.min(n, items.length)) out.add(items[Math.floor(rand() * items.length)]);
  return [...out];
}

export function emptyDataset(): Dataset {
  return Object.fromEntries(ENTITY_PATHS.map((p) => [p, []])) as unknown as Dataset;
}

export function generateDataset(talents: number, seed: number): { data: Dataset; generator: CatalogGenerator } {
  const generator = new CatalogGenerator(prng(seed));
  const data = emptyDataset();
  TAGS.forEach(([name, category], i) => data.tags.push({ id: `tag_${pad(i + 1)}`, name, category }));
  for (let i = 0; i < talents; i++) generator.talent(data);
  for (let i = 0; i < Math.max(1, Math.ceil(talents / 20)); i++) generator.board(data);
  return { data, generator };
}

export const recordCount = (d: Dataset): number => ENTITY_PATHS.reduce((n, p) => n + d[p].length, 0);
