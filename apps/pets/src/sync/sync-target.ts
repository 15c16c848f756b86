export const SYNC_TARGETS = ['user_profile', 'pet_data', 'veterinarian'] as const;
export type SyncTarget = (typeof SYNC_TARGETS)[number];

export interface SyncOperation {
  type: SyncTarget;
  targetId: string;
  label?: string;
}
