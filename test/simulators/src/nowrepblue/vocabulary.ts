export const FIRST_NAMES = ['Ava', 'Liam', 'Maya', 'Noah', 'Zoe', 'Ethan', 'Lea', 'Omar', 'Ines', 'Kai', 'Sofia', 'Luca', 'Amara', 'Jonas', 'Yuki', 'Mateo', 'Nia', 'Elias', 'Chloe', 'Ravi'];
export const LAST_NAMES = ['Martin', 'Okafor', 'Rossi', 'Nguyen', 'Silva', 'Kowalski', 'Haddad', 'Schmidt', 'Tanaka', 'Dubois', 'Garcia', 'Larsen', 'Mensah', 'Petrov', 'Costa', 'Ibrahim'];
export const CITIES: readonly [string, string][] = [
  ['Paris', 'FR'], ['Milan', 'IT'], ['New York', 'US'], ['London', 'GB'], ['Berlin', 'DE'], ['Lagos', 'NG'], ['Tokyo', 'JP'], ['São Paulo', 'BR'], ['Copenhagen', 'DK'], ['Seoul', 'KR'],
];
export const AGENCIES = ['Blue Models', 'Northline', 'Atelier Faces', 'Studio Nine', 'Meridian Talent'];
export const BOARD_WORDS = ['Spring', 'Summer', 'Noir', 'Urban', 'Runway', 'Beauty', 'Denim', 'Resort', 'Studio', 'Outdoor'];
export const PLATFORMS = ['instagram', 'tiktok', 'youtube', 'x'];
export const COLORS = { eyes: ['brown', 'blue', 'green', 'hazel', 'grey'], hair: ['black', 'brown', 'blonde', 'red', 'grey'] };
export const TAGS: readonly [string, string][] = [
  ['headshot', 'type'], ['full-length', 'type'], ['editorial', 'type'], ['commercial', 'type'], ['runway', 'type'], ['beauty', 'type'],
  ['outdoor', 'setting'], ['studio', 'setting'], ['black-and-white', 'style'], ['color', 'style'], ['polaroid', 'type'], ['swimwear', 'type'],
];
