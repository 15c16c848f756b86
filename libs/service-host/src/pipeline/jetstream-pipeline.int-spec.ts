import 'reflect-metadata';
import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { EntityManager, MigrationInterface, QueryRunner } from 'typeorm';
import { DataSource } from 'typeorm';
import { eventSubject, uuidv7, type DomainEvent, type ProfilesEvent, type UserProfileUpdated } from '@ripple/contracts';
import { connectBroker, ensureStream, type Broker } from '@ripple/messaging';
import { PermanentProjectionError, checkpointTable, createCheckpointTable, createDeadLetterTable, type Projection, type TableMap } from '@ripple/projections';
import { createTestDatabase, deleteNamespaceStreams, eventually, testNamespace, testNatsUrl, type TestDatabase } from '@ripple/testing';
import { RippleModule } from '../ripple.module';
import { SERVICE_HOST_VARS } from '../service-vars';
import type { ServiceDefinition } from '../definition';
import { BatchProjection } from './batch-projection';
import { JetStreamPipeline } from './jetstream-pipeline';
import { reactor, type ReactorContext } from './reactor';

/**
 * The pipeline as a Nest microservice transport, booted the way a service boots
 * it (NestFactory, the JetStreamPipeline strategy, listen) against real
 * PostgreSQL and NATS: a `@BatchProjection()` provider and a reactor's
 * `@EventPattern` handlers are found, fed from their stream, and a handler's
 * failure reaches the dead letters with its own error.
 */
const SCHEMA = 'itest_pipeline';

class CreateTables1733100000000 implements MigrationInterface {
  name = 'CreateTables1733100000000';
  async up(qr: QueryRunner): Promise<void> {
    await qr.query(`CREATE TABLE ${SCHEMA}.batches (event_id uuid NOT NULL, type text NOT NULL, batch int NOT NULL)`);
    await qr.query(`CREATE TABLE ${SCHEMA}.reactions (event_id uuid NOT NULL, type text NOT NULL, handler text NOT NULL, at serial)`);
    await createDeadLetterTable(qr, SCHEMA);
    await createCheckpointTable(qr, SCHEMA, 'seen-in-batches');
    await createCheckpointTable(qr, SCHEMA, 'reactions');
    await createCheckpointTable(qr, SCHEMA, 'registrations');
  }
  async down(): Promise<void> {}
}

const definition: ServiceDefinition = { name: 'itest-pipeline', schema: SCHEMA, config: SERVICE_HOST_VARS, migrations: [CreateTables1733100000000] };

@BatchProjection()
class SeenInBatches implements Projection {
  readonly name = 'seen-in-batches';
  readonly source = 'profiles' as const;
  readonly tables = ['batches'];
  private batches = 0;

  async apply(tx: EntityManager, events: DomainEvent[], t: TableMap): Promise<void> {
    const batch = ++this.batches;
    for (const e of events) await tx.query(`INSERT INTO ${t('batches')} VALUES ($1, $2, $3)`, [e.id, e.type, batch]);
  }
}

const Reactions = reactor({ name: 'reactions', source: 'profiles', tables: ['reactions'] });

@Controller()
class ReactionsController {
  @Reactions.on('UserProfileUpdated')
  async updated(@Payload() e: UserProfileUpdated, @Ctx() ctx: ReactorContext): Promise<void> {
    if (e.data.changes.fullName === 'poison') throw new PermanentProjectionError('poison is never a name');
    await ctx.tx.query(`INSERT INTO ${ctx.table('reactions')} (event_id, type, handler) VALUES ($1, $2, 'updated')`, [e.id, e.type]);
  }

  @Reactions.on()
  async every(@Payload() e: ProfilesEvent, @Ctx() ctx: ReactorContext): Promise<void> {
    await ctx.tx.query(`INSERT INTO ${ctx.table('reactions')} (event_id, type, handler) VALUES ($1, $2, 'every:${ctx.mode}')`, [e.id, e.type]);
  }
}

/** A reactor with a handler for one type only: every other event is one it ignores. */
const Registrations = reactor({ name: 'registrations', source: 'profiles', tables: [] });

@Controller()
class RegistrationsController {
  @Registrations.on('UserRegistered')
  async registered(@Payload() e: ProfilesEvent, @Ctx() ctx: ReactorContext): Promise<void> {
    await ctx.tx.query(`INSERT INTO ${ctx.table('reactions')} (event_id, type, handler) VALUES ($1, $2, 'registered')`, [e.id, e.type]);
  }
}

@Module({ imports: [RippleModule.forService(definition)], controllers: [ReactionsController, RegistrationsController], providers: [SeenInBatches] })
class PipelineTestModule {}

@Controller()
class StrayController {
  @EventPattern('profiles.UserRegistered')
  stray(): void {}
}

@Module({ imports: [RippleModule.forService(definition)], controllers: [StrayController] })
class StrayTestModule {}

let db: TestDatabase;
let namespace: string;
let broker: Broker;
let app: INestMicroservice | undefined;
const savedEnv = { ...process.env };

const create = (module: unknown): Promise<INestMicroservice> =>
  NestFactory.createMicroservice(module as never, {
    logger: false,
    abortOnError: false,
    useFactory: (pipeline: JetStreamPipeline) => ({ strategy: pipeline }),
    inject: [JetStreamPipeline],
  } as never);

function event(userId: string, version: number, type: 'UserRegistered' | 'UserProfileUpdated', data: object): DomainEvent {
  const id = uuidv7();
  return { id, type, schemaVersion: 1, aggregateType: 'user', aggregateId: userId, aggregateVersion: version, occurredAt: new Date().toISOString(), correlationId: id, causationId: id, actor: userId, data } as DomainEvent;
}

const publish = (e: DomainEvent) => broker.js.publish(eventSubject(namespace, 'profiles', 'user', e.aggregateId, e.type), JSON.stringify(e), { msgID: e.id });

beforeAll(async () => {
  db = await createTestDatabase();
  namespace = testNamespace();
  Object.assign(process.env, { DATABASE_URL: db.url, NATS_URL: await testNatsUrl(), RIPPLE_NAMESPACE: namespace, LOG_LEVEL: 'error', DEAD_LETTER_AFTER: '2', RETRY_BACKOFF_MS: '50' });
  broker = await connectBroker(await testNatsUrl(), 'pipeline-itest');
  await ensureStream(broker, namespace, 'profiles');
});

afterEach(async () => {
  await app?.close();
  app = undefined;
});

afterAll(async () => {
  process.env = savedEnv;
  await deleteNamespaceStreams(broker.jsm as never, namespace);
  await broker.nc.close();
  await db.drop();
});

describe('JetStreamPipeline', () => {
  it('runs the discovered batch projection and the reactor, each event once, in order, and dead-letters a failing handler with its own error', async () => {
    app = await create(PipelineTestModule);
    await app.listen();
    const pipeline = app.get(JetStreamPipeline);
    expect(pipeline.projections().map((p) => p.name)).toEqual(['seen-in-batches', 'reactions', 'registrations']);
    expect(pipeline.runners.map((r) => r.projection.name)).toEqual(['seen-in-batches', 'reactions', 'registrations']);

    const alice = uuidv7();
    const bob = uuidv7();
    const events = [
      event(alice, 1, 'UserRegistered', { username: 'alice', email: 'alice@example.test', role: 'user', profileInfo: {} }),
      event(bob, 1, 'UserRegistered', { username: 'bob', email: 'bob@example.test', role: 'user', profileInfo: {} }),
      event(alice, 2, 'UserProfileUpdated', { changes: { fullName: 'Alice A.' } }),
      event(bob, 2, 'UserProfileUpdated', { changes: { fullName: 'poison' } }),
      event(alice, 3, 'UserProfileUpdated', { changes: { bio: 'hi' } }),
    ];
    for (const e of events) await publish(e);

    const db$ = app.get(DataSource);
    await eventually(async () => (await db$.query(`SELECT count(*)::int AS n FROM ${SCHEMA}.batches`))[0].n === 5, { what: 'the batch projection applied all five events' });
    const deadLetters = await eventually(async () => {
      const letters = await pipeline.deadLetters.list({ projection: 'reactions' });
      return letters.length > 0 && letters;
    }, { what: "bob's poisoned update dead-lettered" });
    expect(deadLetters).toHaveLength(1);
    expect(deadLetters[0]).toMatchObject({ eventId: events[3].id, error: expect.stringContaining('poison is never a name') });

    const reactions: { event_id: string; handler: string }[] = await eventually(async () => {
      const rows = await db$.query(`SELECT event_id, handler FROM ${SCHEMA}.reactions ORDER BY at`);
      return rows.filter((r: { handler: string }) => r.handler !== 'registered').length >= 6 && rows.filter((r: { handler: string }) => r.handler !== 'registered');
    }, { what: 'the reactions of alice and of bob before the poison' });
    // Both handlers of an update, the specific one first; only `every` for a registration; nothing of bob's after his dead letter.
    const byEvent = (i: number) => reactions.filter((r) => r.event_id === events[i].id).map((r) => r.handler);
    expect(byEvent(0)).toEqual(['every:live']);
    expect(byEvent(1)).toEqual(['every:live']);
    expect(byEvent(2)).toEqual(['updated', 'every:live']);
    expect(byEvent(3)).toEqual([]);
    expect(byEvent(4)).toEqual(['updated', 'every:live']);
    const aliceOrder = reactions.filter((r) => [events[0].id, events[2].id, events[4].id].includes(r.event_id)).map((r) => r.event_id);
    expect([...new Set(aliceOrder)]).toEqual([events[0].id, events[2].id, events[4].id]);
    const [cp] = await db$.query(`SELECT version FROM ${SCHEMA}.${checkpointTable('reactions')} WHERE aggregate_id = $1`, [alice]);
    expect(cp.version).toBe(3);

    // A reactor ignores the types it has no handler for (a handler for every type ignores none); their checkpoints move all the same.
    const [reactions$, registrations] = pipeline.projections().slice(1);
    expect(events.map((e) => reactions$.ignores?.(e))).toEqual([false, false, false, false, false]);
    expect(events.map((e) => registrations.ignores?.(e))).toEqual([false, false, true, true, true]);
    await eventually(async () => {
      const rows = await db$.query(`SELECT aggregate_id, version FROM ${SCHEMA}.${checkpointTable('registrations')} ORDER BY version`);
      return rows.length === 2 && rows.every((r: { version: number }) => r.version === 2 || r.version === 3) && rows.some((r: { aggregate_id: string; version: number }) => r.aggregate_id === alice && r.version === 3);
    }, { what: 'the registrations reactor\'s checkpoints past the updates it ignores' });
    const registered = await db$.query(`SELECT event_id FROM ${SCHEMA}.reactions WHERE handler = 'registered'`);
    expect(registered.map((r: { event_id: string }) => r.event_id).sort()).toEqual([events[0].id, events[1].id].sort());
  });

  it('refuses to start with an @EventPattern handler that belongs to no reactor', async () => {
    app = await create(StrayTestModule);
    await expect(app.listen()).rejects.toThrow(/not declared with reactor/);
  });
});
