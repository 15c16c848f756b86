import { applyDecorators, Injectable, SetMetadata } from '@nestjs/common';

const BATCH_PROJECTION = Symbol('ripple:batch-projection');

/**
 * Declares an injectable class implementing `Projection` (libs/projections): the
 * service's JetStreamPipeline finds it among the app's providers and runs it from
 * its stream, whatever arrived since the last batch applied in one transaction
 * with its checkpoint. For a projection whose batch is worth more than its events
 * one by one (one statement per table per batch); a reaction to one event at a
 * time is a `reactor`.
 */
export const BatchProjection = (): ClassDecorator => applyDecorators(Injectable(), SetMetadata(BATCH_PROJECTION, true));

export const isBatchProjection = (instance: unknown): boolean =>
  !!instance && typeof instance === 'object' && Reflect.getMetadata(BATCH_PROJECTION, instance.constructor) === true;
