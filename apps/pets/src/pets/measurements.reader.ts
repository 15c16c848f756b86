import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** A pet's weight history: one row per recorded weight, oldest first. */
@Injectable()
export class MeasurementsReader {
  constructor(private readonly dataSource: DataSource) {}

  async forPet(petId: string) {
    const rows = await this.dataSource.query('SELECT * FROM pets.pet_measurements WHERE pet_id = $1 ORDER BY recorded_at, id', [petId]);
    return rows.map((r: Record<string, any>) => ({
      id: r.id, petId: r.pet_id, weightKg: r.weight_kg, sourceEventType: r.source_event_type, recordedBy: r.recorded_by, recordedAt: new Date(r.recorded_at).toISOString(),
    }));
  }
}
