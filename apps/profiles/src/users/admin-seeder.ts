import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { hashPassword } from '@ripple/auth';
import { JsonLogger } from '@ripple/observability';
import { SERVICE_CONFIG } from '@ripple/service-host';
import type { ProfilesConfig } from '../profiles.definition';
import { registerUser } from './user';
import { UserRepository } from './user.repository';

/** Creates the configured first admin through the normal registration events, once. */
@Injectable()
export class AdminSeeder implements OnApplicationBootstrap {
  constructor(private readonly users: UserRepository, @Inject(SERVICE_CONFIG) private readonly config: ProfilesConfig, private readonly logger: JsonLogger) {}

  async onApplicationBootstrap(): Promise<void> {
    if (await this.users.findByLogin(this.config.ADMIN_USERNAME)) return;
    const id = randomUUID();
    const events = registerUser({ userId: id, username: this.config.ADMIN_USERNAME, email: this.config.ADMIN_EMAIL, role: 'admin', profileInfo: {} });
    try {
      await this.users.create(id, events, await hashPassword(this.config.ADMIN_PASSWORD), { correlationId: id, causationId: id, actor: 'service:profiles' });
      this.logger.event('info', 'admin user created', { username: this.config.ADMIN_USERNAME });
    } catch (err) {
      // Another instance seeded it first.
      if ((err as { code?: string }).code !== '23505') throw err;
    }
  }
}
