import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { generateSchemas } = require('../../../scripts/generate-schemas.js');

it('the generated event and realtime message schemas match the types they come from (else: npm run schemas)', () => {
  const root = join(__dirname, '..', '..', '..');
  for (const [path, content] of Object.entries(generateSchemas() as Record<string, string>)) {
    expect(readFileSync(join(root, path), 'utf8')).toBe(content);
  }
});
