import { ValidateIf } from 'class-validator';

/** Optional in an edit, but never null: the field may be left out, not cleared. */
export const Present = () => ValidateIf((_o, v) => v !== undefined);
